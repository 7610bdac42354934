// The durable store behind the meter: a protocol with an in-memory and a SQLite implementation.

/// Durable storage of runs and evictions.
///
/// `append` returns only once the row is durable, and is all-or-nothing: when it throws, nothing
/// of the record was stored (the caller keeps it and retries).
public protocol UsageLedger: Sendable {
    /// Stores one run durably.
    func append(_ record: RunRecord) async throws
    /// Stores several runs durably in one go (all or nothing).
    func append(contentsOf records: [RunRecord]) async throws
    /// Records that these threads were evicted at `at` (meter clock): their tracked usage restarts
    /// from zero, also after a restart.
    func recordEviction(threadIds: [String], at: Double) async throws
    /// Threads with activity at or after `activeSince`, with their usage since their last eviction.
    func loadThreads(activeSince: Double) async throws -> [ThreadUsageSnapshot]
    /// Runs whose `finishedAt` lies in [since, until), aggregated by `groupBy`, ordered by key.
    func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket]
    /// False after a write failed, until a write succeeds again.
    var isHealthy: Bool { get }
    /// Whether a row with this run id is stored (the drop-in surfaces account each run once, also
    /// across restarts).
    func containsRun(runId: String) async throws -> Bool
}

extension UsageLedger {
    /// A ledger that cannot look runs up says no: exactly-once then holds within one process only.
    public func containsRun(runId: String) async throws -> Bool { false }

    /// Appends one by one; implementations that can batch should override it.
    public func append(contentsOf records: [RunRecord]) async throws {
        for record in records { try await append(record) }
    }
}

/// How `usageHistory` groups runs.
public enum UsageGrouping: String, Sendable, CaseIterable {
    /// By customer account (`""` for runs without one).
    case account
    /// By model as reported (`""` for runs without one).
    case model
    /// By UTC calendar day of `finishedAt`, `YYYY-MM-DD`.
    case day
}

/// Aggregated usage of the runs sharing one key.
public struct UsageBucket: Sendable, Equatable {
    public var key: String
    public var runs: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int
    /// Sum of the known costs in USD.
    public var costUSD: Double
    /// Runs without a known cost (unknown model): their cost is missing from `costUSD`, not zero.
    public var unpricedRuns: Int

    public init(key: String, runs: Int, inputTokens: Int, outputTokens: Int, costUSD: Double, unpricedRuns: Int = 0) {
        self.key = key
        self.runs = runs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.totalTokens = inputTokens + outputTokens
        self.costUSD = costUSD
        self.unpricedRuns = unpricedRuns
    }
}
