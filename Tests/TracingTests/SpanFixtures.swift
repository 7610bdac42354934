// Spans and run facts with fixed ids and times, shared by the encoding and exporter tests.
import Tracing

enum SpanFixtures {
    static let traceID = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let parentID = SpanID(hex: "00f067aa0ba902b7")!
    static let spanID = SpanID(hex: "a1b2c3d4e5f60718")!
    static let context = SpanContext(traceID: traceID, spanID: spanID, parentSpanID: parentID, sampled: true)

    static let responsesFacts = GenAIRunFacts(
        api: .responses, threadID: "conv_abc", runID: "resp_1", requestModel: "gpt-4o-mini",
        responseModel: "gpt-4o-mini-2024-07-18", inputTokens: 89, outputTokens: 67, cachedInputTokens: 64, reasoningTokens: nil,
        usageSource: "upstream", estimatedCostUSD: 0.000053, account: "Acme \"Corp\"")

    static func span(_ n: Int) -> Span {
        Span(traceID: traceID, spanID: SpanID(UInt64(n) + 1)!, name: "span \(n)", kind: .client,
             startTimeUnixNano: 1_706_745_600_000_000_000, endTimeUnixNano: 1_706_745_601_000_000_000)
    }
}
