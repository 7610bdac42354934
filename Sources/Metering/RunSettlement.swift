// What settling a run produced: the stored row and the thread's totals after it.

/// A run after `UsageMeter.settle`: its record as stored (priced and stamped), the thread's totals
/// after it, and the storage failure when the row could not be written durably.
public struct RunSettlement: Sendable {
    /// The row as the ledger got it: `costUSD` filled from the pricing table, `recordedAt` stamped.
    public var record: RunRecord
    /// The thread's totals after the run (before it when the run does not count).
    public var thread: ThreadUsageSnapshot
    /// Set when the ledger write failed: the run is counted in memory and queued for retry.
    public var storageFailure: StorageError?

    public init(record: RunRecord, thread: ThreadUsageSnapshot, storageFailure: StorageError? = nil) {
        self.record = record
        self.thread = thread
        self.storageFailure = storageFailure
    }
}
