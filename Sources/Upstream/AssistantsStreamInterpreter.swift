// Reads Assistants run events and decides what the service sees: deltas, then one outcome.
import Metering

/// A pure state machine over the Assistants run stream (contract §5).
///
/// Usage extraction order: the terminal run event's `usage`; else the sum of the
/// `thread.run.step.completed` usages; else none (`reportedUsage == nil`).
struct AssistantsStreamInterpreter: Sendable {
    /// What the reader should do after an event.
    enum Action: Equatable, Sendable {
        /// Relay this text.
        case delta(String)
        /// The run id became known (from `thread.run.created`).
        case runCreated(String)
        /// The run is over; nothing more is relayed. `cancelUpstream` asks the reader to cancel the
        /// run upstream (it stopped in a state the service cannot continue, e.g. `requires_action`).
        case finished(RunOutcome, cancelUpstream: Bool)
    }

    private(set) var runId: String?
    private(set) var model: String?
    private(set) var answer = ""
    private(set) var stepUsage: TokenUsage?
    /// Set once a terminal event (or a failure) was seen.
    private(set) var outcome: RunOutcome?

    /// Handles one SSE event.
    mutating func handle(_ event: SSEEvent) -> [Action] {
        guard outcome == nil else { return [] }
        if event.isDone {
            return [finish(.broken, error: .streamBroken("[DONE] arrived before a terminal run event"))]
        }
        do {
            return try interpret(event)
        } catch {
            return [finish(.broken, error: error)]
        }
    }

    /// The stream ended (cleanly or with `failure`) without a terminal event having been handled.
    mutating func streamEnded(failure: UpstreamError?) -> RunOutcome {
        if let outcome { return outcome }
        _ = finish(.broken, error: failure ?? .streamBroken("the stream ended without a terminal run event"))
        return outcome!
    }

    /// Ends the run from a run object fetched with `GET …/runs/{id}` after a cancel.
    mutating func finish(fromPolled run: AssistantsWire.Run) -> RunOutcome? {
        if let outcome { return outcome }
        guard let status = run.terminalStatus else { return nil }
        _ = terminal(run, status: status)
        return outcome
    }

    private mutating func interpret(_ event: SSEEvent) throws(UpstreamError) -> [Action] {
        switch event.event {
        case "thread.message.delta":
            let text = try AssistantsWire.decode(AssistantsWire.MessageDelta.self, from: event.data, what: event.event).text
            guard !text.isEmpty else { return [] }
            answer += text
            return [.delta(text)]
        case "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.cancelling":
            let run = try AssistantsWire.decode(AssistantsWire.Run.self, from: event.data, what: event.event)
            let isNew = runId == nil
            runId = run.id
            model = run.model ?? model
            return isNew ? [.runCreated(run.id)] : []
        case "thread.run.step.completed":
            let step = try AssistantsWire.decode(AssistantsWire.RunStep.self, from: event.data, what: event.event)
            if let usage = step.usage?.tokenUsage { stepUsage = (stepUsage ?? .zero) + usage }
            return []
        case "thread.run.completed", "thread.run.failed", "thread.run.incomplete", "thread.run.cancelled", "thread.run.expired":
            let run = try AssistantsWire.decode(AssistantsWire.Run.self, from: event.data, what: event.event)
            let status = Self.status(ofTerminalEvent: event.event)
            return [terminal(run, status: status)]
        case "thread.run.requires_action":
            let run = try AssistantsWire.decode(AssistantsWire.Run.self, from: event.data, what: event.event)
            runId = run.id
            model = run.model ?? model
            let action = finish(.failed, error: .runEnded(.failed, "the run requires tool outputs, which ThreadMeter does not provide"))
            guard case .finished(let outcome, _) = action else { return [action] }
            return [.finished(outcome, cancelUpstream: true)]
        case "error":
            let body = try AssistantsWire.decode(AssistantsWire.ErrorBody.self, from: event.data, what: "error event")
            return [finish(.broken, error: .streamBroken("upstream error event: \(body.text)"))]
        default:
            return []  // thread.message.created, thread.run.step.created, done (handled above), …
        }
    }

    private mutating func terminal(_ run: AssistantsWire.Run, status: RunStatus) -> Action {
        runId = run.id
        model = run.model ?? model
        let usage = run.usage?.tokenUsage ?? stepUsage
        let error: UpstreamError? = status == .completed ? nil : .runEnded(status, run.failureMessage)
        let outcome = RunOutcome(runId: runId, model: model, status: status, reportedUsage: usage, answer: answer, error: error)
        self.outcome = outcome
        return .finished(outcome, cancelUpstream: false)
    }

    private mutating func finish(_ status: RunStatus, error: UpstreamError) -> Action {
        let outcome = RunOutcome(runId: runId, model: model, status: status, reportedUsage: stepUsage, answer: answer, error: error)
        self.outcome = outcome
        return .finished(outcome, cancelUpstream: false)
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
