// Decides what a finished run accumulates: reported usage, an estimate, or nothing (contract §2, §5).
import Metering
import Telemetry
import Upstream

/// A run's final figures as they are recorded and reported.
struct SettledRun: Sendable {
    var threadId: String
    var runId: String?
    var model: String?
    var status: RunStatus
    var usage: TokenUsage
    var source: UsageSource
    var costUSD: Double?
    /// False for a failed run the upstream reported no usage for: nothing is accumulated.
    var accumulates: Bool
    /// Responses upstream: `run_usage` carries cached/reasoning parts.
    var usageHasDetails: Bool
    var error: UpstreamError?
}

enum RunSettlement {
    /// Estimates are used only for runs that completed without any reported usage; a failed run
    /// accumulates only what the upstream reported.
    static func settle(_ outcome: RunOutcome, threadId: String, prompt: String, pricing: (String?, TokenUsage) -> Double?, logger: Logger) -> SettledRun {
        var usage: TokenUsage
        var source = UsageSource.upstream
        var accumulates = true
        if let reported = outcome.reportedUsage {
            usage = reported
        } else if outcome.status == .completed {
            usage = UsageEstimate.estimate(prompt: prompt, answer: outcome.answer)
            source = .estimated
            logger.warning("upstream reported no usage for a completed run; using an estimate", [
                ("thread_id", threadId), ("run_id", outcome.runId ?? "-"),
                ("input_tokens", String(usage.inputTokens)), ("output_tokens", String(usage.outputTokens)),
            ])
        } else {
            usage = .zero
            accumulates = false
        }
        let cost = accumulates ? pricing(outcome.model, usage) : nil
        return SettledRun(
            threadId: threadId, runId: outcome.runId, model: outcome.model, status: outcome.status,
            usage: usage, source: source, costUSD: cost, accumulates: accumulates,
            usageHasDetails: usage.cachedInputTokens != nil || usage.reasoningTokens != nil,
            error: outcome.status == .completed ? nil : (outcome.error ?? .streamBroken("run ended \(outcome.status.rawValue)"))
        )
    }
}
