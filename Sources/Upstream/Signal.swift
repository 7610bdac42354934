// A one-time event that tasks can wait for, with a deadline.
import Synchronization

/// Fires once; `wait(until:)` returns when it has fired or the deadline passed.
final class Signal: Sendable {
    private struct State {
        var fired = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var timers: [Int: Task<Void, Never>] = [:]
        var nextId = 0
    }

    private let state = Mutex(State())

    var hasFired: Bool { state.withLock { $0.fired } }

    func fire() {
        let (waiters, timers) = state.withLock { state in
            state.fired = true
            defer {
                state.waiters.removeAll()
                state.timers.removeAll()
            }
            return (Array(state.waiters.values), Array(state.timers.values))
        }
        for timer in timers { timer.cancel() }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until `fire()` or `deadline` on `clock`, whichever comes first.
    func wait<C: Clock>(until deadline: C.Instant, clock: C) async {
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
            let timer = Task {
                do {
                    try await clock.sleep(until: deadline, tolerance: nil)
                } catch {
                    return  // cancelled by fire(), which resumes the waiter itself
                }
                let waiter = self.state.withLock { state in
                    state.timers[id] = nil
                    return state.waiters.removeValue(forKey: id)
                }
                waiter?.resume()
            }
            let stale = state.withLock { state -> Bool in
                guard state.waiters[id] != nil else { return true }
                state.timers[id] = timer
                return false
            }
            if stale { timer.cancel() }
        }
    }
}
