// Token counts for one run or accumulated over a thread.

/// Input and output tokens. Cached input tokens are a part of `inputTokens` and reasoning tokens a
/// part of `outputTokens` (never added on top). `totalTokens` is always `inputTokens + outputTokens`.
public struct TokenUsage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// The cached part of `inputTokens`, where the upstream reports it (Responses API).
    public var cachedInputTokens: Int?
    /// The reasoning part of `outputTokens`, where the upstream reports it (Responses API).
    public var reasoningTokens: Int?

    public init(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int? = nil, reasoningTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
    }

    public static let zero = TokenUsage(inputTokens: 0, outputTokens: 0)

    public var totalTokens: Int { inputTokens + outputTokens }

    /// Sum of two usages; detail fields are kept when either side has them.
    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        func add(_ a: Int?, _ b: Int?) -> Int? {
            if a == nil && b == nil { return nil }
            return (a ?? 0) + (b ?? 0)
        }
        return TokenUsage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            cachedInputTokens: add(lhs.cachedInputTokens, rhs.cachedInputTokens),
            reasoningTokens: add(lhs.reasoningTokens, rhs.reasoningTokens)
        )
    }

    public static func += (lhs: inout TokenUsage, rhs: TokenUsage) { lhs = lhs + rhs }

    /// Only input/output, as `token_usage` and `/stats` carry them.
    public var withoutDetails: TokenUsage { TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens) }
}

/// Where a run's usage figures came from.
public enum UsageSource: String, Sendable, Codable {
    /// The upstream reported them.
    case upstream
    /// The upstream reported none for a completed run; the service counted tokens itself.
    case estimated
}
