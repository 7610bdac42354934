// The usage the service records for a completed run whose upstream reported none.
import Metering

/// Estimated usage of a run whose upstream reported none (`usage_source: "estimated"`).
public enum UsageEstimate {
    /// `inputTokens` = estimate of `prompt` (instructions, context and query), `outputTokens` = estimate of `answer`.
    public static func estimate(prompt: String, answer: String) -> TokenUsage {
        TokenUsage(inputTokens: TokenEstimator.estimate(prompt), outputTokens: TokenEstimator.estimate(answer))
    }
}
