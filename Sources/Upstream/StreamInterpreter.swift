// The common shape of the Assistants and Responses stream state machines.
import Metering
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
///
/// A protocol's interpreter implements the requirements; `handle`, `streamEnded`, `stopped` and
/// `finish(fromPolled:)` are shared (see the extension) and are what the stream reader calls.
protocol StreamInterpreter: Sendable {
    /// What a poll of the run returns (`GET …/runs/{id}`, `GET /responses/{id}`).
    associatedtype Polled: Sendable

    init()
    var runId: String? { get }
    /// Set once the run is over.
    var outcome: RunOutcome? { get }
    /// What a stream that ends early lacked, e.g. `terminal run event`.
    static var terminalEventName: String { get }
    /// Reads one event; called only while there is no outcome. A thrown error ends the run broken.
    mutating func interpret(_ event: SSEEvent) throws(UpstreamError) -> [StreamAction]
    /// Ends the run now (sets `outcome`) with the usage reported so far, if the protocol keeps any.
    mutating func end(_ status: RunStatus, error: UpstreamError) -> RunOutcome
    /// Ends the run from a polled object (sets `outcome`); nil while it is not terminal yet.
    /// Called only while there is no outcome.
    mutating func terminal(fromPolled polled: Polled) -> RunOutcome?
}

extension StreamInterpreter {
    /// Handles one SSE event: nothing once the run is over; a malformed event ends it broken.
    mutating func handle(_ event: SSEEvent) -> [StreamAction] {
        guard outcome == nil else { return [] }
        do {
            return try interpret(event)
        } catch {
            return [.finished(end(.broken, error: error))]
        }
    }

    /// The stream ended without a terminal event: the outcome is broken, with `failure` or "stream ended".
    mutating func streamEnded(failure: UpstreamError?) -> RunOutcome {
        if let outcome { return outcome }
        return end(.broken, error: failure ?? .streamBroken("the stream ended without a \(Self.terminalEventName)"))
    }

    /// The run was stopped before the upstream told anything more: status `cancelled`, usage as reported so far.
    mutating func stopped(reason: String) -> RunOutcome {
        if let outcome { return outcome }
        return end(.cancelled, error: .runEnded(.cancelled, reason))
    }

    /// Ends the run from a polled object; nil while it is not terminal yet.
    mutating func finish(fromPolled polled: Polled) -> RunOutcome? {
        if let outcome { return outcome }
        return terminal(fromPolled: polled)
    }
}
