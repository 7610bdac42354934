// A run the upstream accepted, with the request facts its accounting needs.
import Metering
import Tracing
import Upstream

/// One accepted run and the query that started it.
struct AcceptedRun: Sendable {
    let upstream: any UpstreamRun
    let query: QueryRequest
    /// The text the upstream saw besides the answer (instructions, context, question), for estimates.
    let prompt: String
    /// Unix seconds when the request arrived.
    let startedAt: Double
    let requestId: String
    /// The run's span: a child of the client's `traceparent`, or a new trace.
    let trace: SpanContext
    /// The surface the run came through (the ledger's `surface` column).
    var surface: RunSurface = .query

    var threadId: String { upstream.threadId }
}
