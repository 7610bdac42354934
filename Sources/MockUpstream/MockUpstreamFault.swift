// Faults the mock upstream can be told to produce, per endpoint, at runtime.

/// A misbehaviour of one endpoint.
public enum MockUpstreamFault: Sendable, Equatable {
    /// Answer with this status and an OpenAI-style error body (`Retry-After` when given).
    case status(Int, retryAfter: String? = nil)
    /// Wait this long before answering at all (no head, no bytes).
    case delayHeaders(Duration)
    /// Send the head (`text/event-stream` on the streamed endpoints), then break the connection without a body.
    case closeConnection
    /// Stream two deltas, then an event whose JSON is cut short, then end.
    case malformedJSON
    /// Stream two deltas, then two events not separated by a blank line, then end.
    case malformedSSE
    /// Stream two deltas, then end the body without a terminal event or `[DONE]`.
    case cutStream
    /// Stream two deltas, then go silent (keep the connection open) for this long.
    case stallStream(Duration)
    /// Stream half the deltas, then end the run with this status (`failed`, `incomplete`,
    /// `cancelled`, `expired`; Responses: `failed`, `incomplete`) and the partial usage.
    case runEnds(String)
    /// The terminal run event carries no usage; only the completed step does (Assistants).
    case omitRunUsage
    /// No usage anywhere in the stream (nor in `GET` of the run).
    case omitAllUsage
    /// Stream two deltas, then an `error` event, then end.
    case errorEvent
    /// On `cancelRun`: accept the cancel, then cut the run's stream without a terminal event
    /// (the run becomes `cancelled` with partial usage, visible only through `GET`).
    case cutStreamOnCancel
}
