// The common shape of the Assistants and Responses stream state machines.
import HTTPWire

/// What the stream reader does after an upstream event.
enum StreamAction: Equatable, Sendable {
    /// Relay this text to the client now.
    case delta(String)
    /// The run (or response) id became known.
    case runCreated(String)
    /// The run is over; nothing more is relayed.
    case finished(RunOutcome)
    /// Stop the run upstream (it is stuck in a state the service cannot continue).
    case cancelUpstream
}

/// A pure state machine turning upstream SSE events into `StreamAction`s.
protocol StreamInterpreter: Sendable {
    /// What a poll of the run returns (`GET …/runs/{id}`, `GET /responses/{id}`).
    associatedtype Polled: Sendable

    init()
    var runId: String? { get }
    /// Set once the run is over.
    var outcome: RunOutcome? { get }
    mutating func handle(_ event: SSEEvent) -> [StreamAction]
    /// The stream ended without a terminal event: the outcome is broken, with `failure` or "stream ended".
    mutating func streamEnded(failure: UpstreamError?) -> RunOutcome
    /// The run was stopped before the upstream told anything more: status `cancelled`, usage as reported so far.
    mutating func stopped(reason: String) -> RunOutcome
    /// Ends the run from a polled object; nil while it is not terminal yet.
    mutating func finish(fromPolled polled: Polled) -> RunOutcome?
}
