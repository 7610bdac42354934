// What the mock upstream reported, summed: the figures a metering client must match.

/// Usage the mock reported over all finished runs (terminal events, or `GET` after a cut stream).
public struct MockUsageTotals: Sendable, Equatable {
    public var inputTokens = 0
    public var outputTokens = 0
    /// Runs whose usage was reported.
    public var runs = 0
    /// Runs that ended without any usage reported (the client has to estimate).
    public var runsWithoutUsage = 0

    public init() {}
}
