// The error the meter throws when a run could not be made durable.

/// A run's usage could not be written to the ledger.
///
/// The run *was* counted in memory (the upstream charged for it), and the row waits in the meter's
/// retry queue (unless that queue was full, see `queuedForRetry`). `snapshot` carries the thread's
/// totals including the run, so the client can be told the real numbers in a `storage_error` event.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The thread's totals in memory after counting the run; `nil` for writes that are not runs.
    public var snapshot: ThreadUsageSnapshot?
    /// Why the write failed, from the ledger.
    public var reason: String
    /// Whether the row is queued and will be written when the store recovers.
    public var queuedForRetry: Bool

    public init(snapshot: ThreadUsageSnapshot?, reason: String, queuedForRetry: Bool) {
        self.snapshot = snapshot
        self.reason = reason
        self.queuedForRetry = queuedForRetry
    }

    public var description: String {
        "usage store write failed: \(reason)" + (queuedForRetry ? " (kept in memory, will retry)" : " (retry queue full, row not kept)")
    }
}
