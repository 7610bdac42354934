// What the registry knows about one thread at one moment.

/// A thread's tracked usage since it was created or last evicted.
public struct ThreadUsageSnapshot: Sendable, Equatable {
    public var threadId: String
    /// Accumulated input/output tokens (no cached/reasoning details).
    public var usage: TokenUsage
    /// Runs whose usage was accumulated.
    public var runs: Int
    /// Unix seconds of the start or end of the thread's latest run.
    public var lastActivity: Double
    /// The customer account last recorded with the thread, if any.
    public var account: String?
    /// Sum of the known costs of the thread's runs in USD; `nil` when no run had a known cost.
    public var costUSD: Double?

    public init(threadId: String, usage: TokenUsage, runs: Int, lastActivity: Double, account: String? = nil, costUSD: Double? = nil) {
        self.threadId = threadId
        self.usage = usage
        self.runs = runs
        self.lastActivity = lastActivity
        self.account = account
        self.costUSD = costUSD
    }
}
