// Where runs are accounted and thread totals live: this process (SQLite) or a store shared by replicas.

/// The store behind `UsageMeter`. Two kinds: `LocalUsageStore` (the registry actor over a SQLite
/// ledger, one replica) and the PostgreSQL store (every replica reads and writes the same totals).
/// The app only sees the meter, so it does not know which it has. Budgets (`BudgetStore`) live in
/// the same store as the ledger they are checked against, and so do the drop-in runs being watched
/// (`RunWatchStore`).
public protocol UsageStore: BudgetStore, RunWatchStore {
    /// `/health`'s `storage_backend`: `sqlite` or `postgres`.
    var backendName: String { get }
    /// False while a write failed or rows wait to be written (`/health` 503).
    var isHealthy: Bool { get }
    /// Whether a new run may start. False: the app refuses it with `storage_error` before any
    /// upstream call (a shared store that is unreachable).
    var acceptsRuns: Bool { get }
    /// Rows waiting for a retry.
    var pendingWrites: Int { get }

    /// A run starts: the thread is tracked (at zero if new) and not evicted until the run ends.
    /// Returns the thread's totals before the run.
    func beginRun(threadId: String, account: String?) async -> ThreadUsageSnapshot
    /// Stores the run's row durably — once per run id, a retry never counts twice — adds it to the
    /// thread when it counts, and returns the thread's totals after it.
    /// - Throws: `StorageError` when the row could not be stored; it carries the totals including
    ///   the run and whether the row is kept for a later write.
    func record(_ record: RunRecord) async throws(StorageError) -> ThreadUsageSnapshot
    /// A run ended without a row (it never produced usage).
    func abortRun(threadId: String) async
    /// Whether the run with this id was recorded already (durably): the drop-in surfaces' exactly-once check.
    func hasRecorded(runId: String) async throws -> Bool

    func snapshot(threadId: String) async throws -> ThreadUsageSnapshot?
    /// Totals over every tracked thread, kept up to date (never a scan).
    func totals() async throws -> UsageTotals
    /// Totals and the top `limit` threads by total tokens (what `/stats` shows).
    func overview(limit: Int) async throws -> (totals: UsageTotals, top: [ThreadUsageSnapshot])
    /// The latest totals without waiting (for `/health`, polled often).
    var latestTotals: UsageTotals { get }
    /// Ledger history over [since, until), grouped by account, model or UTC day.
    func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket]

    /// Evicts idle threads without a run in flight; returns their ids.
    func evictIdle() async -> [String]
    /// At startup, before serving: rebuild or reconnect what the store needs.
    func recover() async throws
}

extension UsageStore {
    /// A store that cannot look runs up says no: exactly-once then holds within one process only.
    public func hasRecorded(runId: String) async throws -> Bool { false }
}
