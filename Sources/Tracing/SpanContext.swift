// The ids a new span gets: a child of the client's traceparent, or the root of a new trace.

/// The identity of a span being recorded, and the `traceparent` that propagates it.
public struct SpanContext: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var parentSpanID: SpanID?
    /// False when the client's traceparent said not sampled: the span is not exported.
    public var sampled: Bool

    public init(traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.sampled = sampled
    }

    /// A new span under `parent` (same trace, its sampled flag), or the root of a new sampled trace.
    public static func child(of parent: TraceParent?) -> SpanContext {
        guard let parent else {
            return SpanContext(traceID: .random(), spanID: .random(), parentSpanID: nil, sampled: true)
        }
        return SpanContext(traceID: parent.traceID, spanID: .random(), parentSpanID: parent.parentID, sampled: parent.sampled)
    }

    /// The header to send downstream (to the upstream API): this span as the parent.
    public var traceparent: TraceParent {
        TraceParent(traceID: traceID, parentID: spanID, sampled: sampled)
    }
}
