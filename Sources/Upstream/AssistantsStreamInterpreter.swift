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

    /// Handles one SSE event.
    mutating func handle(_ event: SSEEvent) -> [StreamAction] {
        guard outcome == nil else { return [] }
        if event.isDone {
            return [.finished(finish(.broken, error: .streamBroken("[DONE] arrived before a terminal run event")))]
        }
        do {
            return try interpret(event)
        } catch {
            return [.finished(finish(.broken, error: error))]
        }
    }

    /// The stream ended (cleanly or with `failure`) without a terminal event having been handled.
    mutating func streamEnded(failure: UpstreamError?) -> RunOutcome {
        if let outcome { return outcome }
        return finish(.broken, error: failure ?? .streamBroken("the stream ended without a terminal run event"))
    }

    mutating func stopped(reason: String) -> RunOutcome {
        if let outcome { return outcome }
        return finish(.cancelled, error: .runEnded(.cancelled, reason))
    }

    /// Ends the run from a run object fetched with `GET …/runs/{id}` after a cancel.
    mutating func finish(fromPolled run: AssistantsWire.Run) -> RunOutcome? {
        if let outcome { return outcome }
        guard let status = run.terminalStatus else { return nil }
        return terminal(run, status: status)
    }

    private mutating func interpret(_ event: SSEEvent) throws(UpstreamError) -> [StreamAction] {
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
            return [.finished(finish(.failed, error: .runEnded(.failed, "the run requires tool outputs, which ThreadMeter does not provide"))), .cancelUpstream]
        case "error":
            let body = try WireJSON.decode(UpstreamErrorBody.self, from: event.data, what: "error event")
            return [.finished(finish(.broken, error: .streamBroken("upstream error event: \(body.text)")))]
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

    private mutating func finish(_ status: RunStatus, error: UpstreamError) -> RunOutcome {
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
