// A one-time event that tasks can wait for, with a deadline.
import Synchronization

/// Fires once; `wait(until:)` returns when it has fired or the deadline passed.
final class Signal: Sendable {
    private struct State {
        var fired = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextId = 0
    }

    private let state = Mutex(State())

    var hasFired: Bool { state.withLock { $0.fired } }

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.fired = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until `fire()` or `deadline`, whichever comes first.
    func wait(until deadline: ContinuousClock.Instant) async {
        let id = state.withLock { state -> Int in
            state.nextId += 1
            return state.nextId
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let registered = state.withLock { state -> Bool in
                guard !state.fired else { return false }
                state.waiters[id] = continuation
                return true
            }
            guard registered else {
                continuation.resume()
                return
            }
            Task {
                do {
                    try await Task.sleep(until: deadline)
                } catch {
                    // Never cancelled (nobody holds this task); fall through and release the waiter.
                }
                let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume()
            }
        }
    }
}
