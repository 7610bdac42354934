// A run the upstream accepted, with the request facts its accounting needs.
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

    var threadId: String { upstream.threadId }
}
