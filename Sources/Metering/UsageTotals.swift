// Totals over every tracked thread.

/// Usage summed over every thread the registry tracks, kept up to date as runs land.
public struct UsageTotals: Sendable, Equatable {
    /// Number of tracked threads.
    public var threads: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int
    /// Sum of the known costs in USD (runs of unknown models contribute nothing).
    public var costUSD: Double

    public init(threads: Int, inputTokens: Int, outputTokens: Int, costUSD: Double) {
        self.threads = threads
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.totalTokens = inputTokens + outputTokens
        self.costUSD = costUSD
    }
}
