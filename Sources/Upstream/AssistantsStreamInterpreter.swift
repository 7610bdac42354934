// Reads Assistants run events and decides what the service sees: deltas, then one outcome.
import HTTPWire
import Metering

/// A pure state machine over the Assistants run stream (contract §5).
///
/// Usage extraction order: the terminal run event's `usage`; else the sum of the
/// `thread.run.step.completed` usages; else none (`reportedUsage == nil`).
struct AssistantsStreamInterpreter: StreamInterpreter {
    private(set) var runId: String?
    private(set) var model: String?
    private(set) var answer = ""
    private(set) var stepUsage: TokenUsage?
    /// Set once a terminal event (or a failure) was seen.
    private(set) var outcome: RunOutcome?

    static let terminalEventName = "terminal run event"

    /// Ends the run from a run object fetched with `GET …/runs/{id}` after a cancel.
    mutating func terminal(fromPolled run: AssistantsWire.Run) -> RunOutcome? {
        guard let status = run.terminalStatus else { return nil }
        return terminal(run, status: status)
    }

    mutating func interpret(_ event: SSEEvent) throws(UpstreamError) -> [StreamAction] {
        if event.isDone {
            return [.finished(end(.broken, error: .streamBroken("[DONE] arrived before a terminal run event")))]
        }
        switch event.event {
        case "thread.message.delta":
            let text = try WireJSON.decode(AssistantsWire.MessageDelta.self, from: event.data, what: event.event).text
            guard !text.isEmpty else { return [] }
            answer += text
            return [.delta(text)]
        case "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.cancelling":
            guard runId == nil else { return [] }  // known already: no need to decode the run again
            let run = try WireJSON.decode(AssistantsWire.Run.self, from: event.data, what: event.event)
            runId = run.id
            model = run.model ?? model
            return [.runCreated(run.id)]
        case "thread.run.step.completed":
            let step = try WireJSON.decode(AssistantsWire.RunStep.self, from: event.data, what: event.event)
            if let usage = step.usage?.tokenUsage { stepUsage = (stepUsage ?? .zero) + usage }
            return []
        case "thread.run.completed", "thread.run.failed", "thread.run.incomplete", "thread.run.cancelled", "thread.run.expired":
            let run = try WireJSON.decode(AssistantsWire.Run.self, from: event.data, what: event.event)
            let status = Self.status(ofTerminalEvent: event.event)
            return [.finished(terminal(run, status: status))]
        case "thread.run.requires_action":
            let run = try WireJSON.decode(AssistantsWire.Run.self, from: event.data, what: event.event)
            runId = run.id
            model = run.model ?? model
            // A run waiting for tool outputs would wait until it expires: end it and cancel it upstream.
            return [.finished(end(.failed, error: .runEnded(.failed, "the run requires tool outputs, which ThreadMeter does not provide"))), .cancelUpstream]
        case "error":
            let body = try WireJSON.decode(UpstreamErrorBody.self, from: event.data, what: "error event")
            return [.finished(end(.broken, error: .streamBroken("upstream error event: \(body.text)")))]
        default:
            return []  // thread.message.created, thread.run.step.created, done (handled above), …
        }
    }

    private mutating func terminal(_ run: AssistantsWire.Run, status: RunStatus) -> RunOutcome {
        runId = run.id
        model = run.model ?? model
        let usage = run.usage?.tokenUsage ?? stepUsage
        let error: UpstreamError? = status == .completed ? nil : .runEnded(status, run.failureMessage)
        let outcome = RunOutcome(runId: runId, model: model, status: status, reportedUsage: usage, answer: answer, error: error)
        self.outcome = outcome
        return outcome
    }

    mutating func end(_ status: RunStatus, error: UpstreamError) -> RunOutcome {
        let outcome = RunOutcome(runId: runId, model: model, status: status, reportedUsage: stepUsage, answer: answer, error: error)
        self.outcome = outcome
        return outcome
    }

    private static func status(ofTerminalEvent name: String) -> RunStatus {
        switch name {
        case "thread.run.completed": .completed
        case "thread.run.failed": .failed
        case "thread.run.incomplete": .incomplete
        case "thread.run.cancelled": .cancelled
        default: .expired
        }
    }
}
