// Reads Responses stream events and decides what the service sees: deltas, then one outcome.
import HTTPWire
import Metering

/// A pure state machine over the Responses stream (contract §6). Usage comes from the terminal
/// `response.completed` / `response.incomplete` / `response.failed` event's `response.usage`.
struct ResponsesStreamInterpreter: StreamInterpreter {
    private(set) var responseId: String?
    var runId: String? { responseId }
    private(set) var model: String?
    private(set) var answer = ""
    private(set) var outcome: RunOutcome?

    static let terminalEventName = "terminal response event"

    /// Ends the run from a response fetched with `GET /responses/{id}` after the stream was closed.
    mutating func terminal(fromPolled response: ResponsesWire.Response) -> RunOutcome? {
        guard let status = response.terminalStatus else { return nil }
        return terminal(response, status: status)
    }

    mutating func end(_ status: RunStatus, error: UpstreamError) -> RunOutcome {
        finish(status, usage: nil, error: error)
    }

    mutating func interpret(_ event: SSEEvent) throws(UpstreamError) -> [StreamAction] {
        // [DONE] is not part of this protocol; tolerated. Without a terminal event before it the
        // stream's end (which follows) is reported as broken.
        if event.isDone { return [] }
        // The `event:` line names the type (as `data.type` does); decode `data` for it only without one.
        let type = event.event != "message" ? event.event
            : try WireJSON.decode(ResponsesWire.EventType.self, from: event.data, what: event.event).type ?? event.event
        switch type {
        case "response.output_text.delta":
            let delta = try WireJSON.decode(ResponsesWire.TextDelta.self, from: event.data, what: type).delta
            guard !delta.isEmpty else { return [] }
            answer += delta
            return [.delta(delta)]
        case "response.created", "response.queued", "response.in_progress":
            guard responseId == nil else { return [] }  // known already: no need to decode the object again
            let response = try WireJSON.decode(ResponsesWire.ResponseEvent.self, from: event.data, what: type).response
            responseId = response.id
            model = response.model ?? model
            return [.runCreated(response.id)]
        case "response.completed", "response.incomplete", "response.failed", "response.cancelled":
            let response = try WireJSON.decode(ResponsesWire.ResponseEvent.self, from: event.data, what: type).response
            let status: RunStatus = switch type {
            case "response.completed": .completed
            case "response.incomplete": .incomplete
            case "response.failed": .failed
            default: .cancelled
            }
            return [.finished(terminal(response, status: status))]
        case "error":
            let body = try WireJSON.decode(ResponsesWire.ErrorEvent.self, from: event.data, what: "error event")
            return [.finished(end(.broken, error: .streamBroken("upstream error event: \(body.text)")))]
        default:
            return []
        }
    }

    private mutating func terminal(_ response: ResponsesWire.Response, status: RunStatus) -> RunOutcome {
        responseId = response.id
        model = response.model ?? model
        let error: UpstreamError? = status == .completed ? nil : .runEnded(status, response.failureMessage)
        return finish(status, usage: response.usage?.tokenUsage, error: error)
    }

    private mutating func finish(_ status: RunStatus, usage: TokenUsage?, error: UpstreamError?) -> RunOutcome {
        let outcome = RunOutcome(runId: responseId, model: model, status: status, reportedUsage: usage, answer: answer, error: error)
        self.outcome = outcome
        return outcome
    }
}
