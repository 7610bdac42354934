// Group commit: writes that arrive while a commit is in flight share the next transaction.
import Dispatch
import Metering
import Synchronization

/// One unit of work for the write transaction.
enum LedgerWrite: Sendable {
    case runs([RunRecord])
    case eviction(threadIds: [String], at: Double)

    /// Rows it inserts (how batches are sized).
    var rowCount: Int {
        switch self {
        case .runs(let records): records.count
        case .eviction(let ids, _): ids.count
        }
    }
}

/// Batches concurrent writes into shared transactions on one serial queue.
///
/// A write that arrives while nothing is committing starts a commit at once (no added wait). Writes
/// that arrive while a commit is in flight (waiting on fsync) queue up and all go into the next
/// transaction: one fsync for the batch. Each caller resumes only after its own batch committed
/// (or failed). All SQLite work happens on `queue`, never on the Swift concurrency pool.
final class GroupCommitter: Sendable {
    /// Commits the given writes in one transaction; runs on `queue`.
    typealias Commit = @Sendable ([LedgerWrite]) throws(SQLiteLedgerError) -> Void

    private struct Waiting {
        var write: LedgerWrite
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let queue: DispatchQueue
    private let maxBatchRows: Int
    private let commit: Commit
    private let state = Mutex(State())

    /// - Parameter maxBatchRows: rows per transaction at most (1 disables batching: one commit per write).
    init(queue: DispatchQueue, maxBatchRows: Int, commit: @escaping Commit) {
        self.queue = queue
        self.maxBatchRows = max(1, maxBatchRows)
        self.commit = commit
    }

    /// Writes waiting for the next transaction (not counting the one committing now).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Returns once `write` is committed; throws the commit's error otherwise.
    func submit(_ write: LedgerWrite) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startDrain = state.withLock { s -> Bool in
                s.waiting.append(Waiting(write: write, continuation: continuation))
                guard !s.draining else { return false }
                s.draining = true
                return true
            }
            if startDrain {
                queue.async { @Sendable in self.drain() }
            }
        }
    }

    /// Commits batches until nobody is waiting. Runs on `queue`.
    private func drain() {
        while true {
            let batch = state.withLock { s -> [Waiting] in
                guard !s.waiting.isEmpty else {
                    s.draining = false
                    return []
                }
                var rows = 0
                var taken = 0
                while taken < s.waiting.count, taken == 0 || rows + s.waiting[taken].write.rowCount <= maxBatchRows {
                    rows += s.waiting[taken].write.rowCount
                    taken += 1
                }
                let batch = Array(s.waiting.prefix(taken))
                s.waiting.removeFirst(taken)
                return batch
            }
            if batch.isEmpty { return }
            commitBatch(batch)
        }
    }

    private func commitBatch(_ batch: [Waiting]) {
        do throws(SQLiteLedgerError) {
            try commit(batch.map(\.write))
            for waiting in batch { waiting.continuation.resume() }
        } catch {
            guard batch.count > 1, !error.isStorageWide else {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
                return
            }
            // A failure tied to one row must not fail its neighbours: commit them one by one.
            for waiting in batch {
                do {
                    try commit([waiting.write])
                    waiting.continuation.resume()
                } catch {
                    waiting.continuation.resume(throwing: error)
                }
            }
        }
    }
}
