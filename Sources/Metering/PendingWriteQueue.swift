// Ledger writes that failed and wait to be retried.
import Synchronization

/// A write the ledger refused, kept to be written when storage recovers.
enum PendingWrite: Sendable {
    case run(RunRecord)
    case eviction(threadIds: [String], at: Double)
}

/// A bounded FIFO of failed ledger writes. Only the retry loop removes items (from the front);
/// any caller may append.
final class PendingWriteQueue: Sendable {
    private struct State {
        var items: [PendingWrite] = []
        var head = 0
        var dropped = 0
        var retrying = false
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { state.withLock { $0.items.count - $0.head } }
    var isEmpty: Bool { count == 0 }
    /// Writes refused because the queue was full.
    var dropped: Int { state.withLock { $0.dropped } }

    /// Appends `write` unless the queue is full. Returns whether it was kept, and whether the caller
    /// must start the retry loop (none is running).
    func enqueue(_ write: PendingWrite) -> (kept: Bool, startRetry: Bool) {
        state.withLock { s in
            guard s.items.count - s.head < capacity else {
                s.dropped += 1
                return (false, false)
            }
            s.items.append(write)
            let start = !s.retrying
            s.retrying = true
            return (true, start)
        }
    }

    /// Whether a run with this id waits in the queue.
    func containsRun(runId: String) -> Bool {
        state.withLock { s in
            s.items[s.head...].contains { if case .run(let r) = $0 { r.runId == runId } else { false } }
        }
    }

    /// Up to `limit` writes from the front, without removing them.
    func front(_ limit: Int) -> [PendingWrite] {
        state.withLock { s in Array(s.items[s.head ..< min(s.items.count, s.head + limit)]) }
    }

    /// Removes `n` writes from the front (they were stored).
    func removeFront(_ n: Int) {
        state.withLock { s in
            s.head = min(s.items.count, s.head + n)
            if s.head == s.items.count {
                s.items.removeAll(keepingCapacity: false)
                s.head = 0
            } else if s.head > 4096, s.head * 2 > s.items.count {
                s.items.removeFirst(s.head)
                s.head = 0
            }
        }
    }

    /// Ends the retry loop if nothing is left; returns false (keep looping) otherwise.
    func stopRetryingIfEmpty() -> Bool {
        state.withLock { s in
            guard s.items.count == s.head else { return false }
            s.retrying = false
            return true
        }
    }

    /// Marks the retry loop as gone (cancelled) with items left.
    func retryLoopEnded() {
        state.withLock { $0.retrying = false }
    }
}
