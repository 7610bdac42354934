// One OpenTelemetry span per run (CONTRACT §11), made from what the run reporter already knows.
import Foundation
import Telemetry
import Tracing

/// Turns a settled (or upstream-refused) run into its GenAI span and hands it to the exporter.
/// Runs whose client sent a not-sampled `traceparent` are not exported.
struct RunTracer: Sendable {
    let exporter: SpanExporter
    let api: GenAIRunFacts.UpstreamAPI
    /// `OPENAI_MODEL`: names the span with the Responses upstream.
    let requestModel: String?

    /// The span of a settled run: its usage event's facts plus the failure the client was told.
    func finished(_ event: UsageEvent, failure: SettledRun.Failure?, trace: SpanContext, startedAt: Double) {
        var facts = GenAIRunFacts(event: event, api: api, requestModel: requestModel,
                                  errorCode: failure?.code.rawValue, errorMessage: failure?.message)
        // The cost as `stream_complete` shows it.
        facts.estimatedCostUSD = roundedUSD(event.costUSD)
        export(facts, trace: trace, startedAt: startedAt)
    }

    /// The span of a run the upstream refused before the response started (429, 502, 504, 404).
    func refused(code: ErrorCode, message: String, threadId: String?, account: String?, trace: SpanContext, startedAt: Double) {
        let facts = GenAIRunFacts(
            api: api, threadID: threadId, runID: nil, requestModel: requestModel, responseModel: nil,
            inputTokens: 0, outputTokens: 0, usageSource: nil, estimatedCostUSD: nil, account: account,
            errorCode: code.rawValue, errorMessage: message)
        export(facts, trace: trace, startedAt: startedAt)
    }

    private func export(_ facts: GenAIRunFacts, trace: SpanContext, startedAt: Double) {
        guard trace.sampled else { return }
        let span = GenAISpan.make(facts, context: trace, startTimeUnixNano: Self.nanos(startedAt),
                                  endTimeUnixNano: Self.nanos(Date().timeIntervalSince1970))
        exporter.export(span)
    }

    static func nanos(_ seconds: Double) -> UInt64 {
        UInt64(max(0, seconds) * 1_000_000_000)
    }
}
