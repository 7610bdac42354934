import Metering
import HTTPWire
import Testing
import TestSupport
@testable import Upstream

/// Feeds events to an interpreter the way the stream reader does.
func interpret<I: StreamInterpreter>(_ type: I.Type, _ events: [SSEEvent], endOfStream: Bool = true) -> (deltas: [String], outcome: RunOutcome?, actions: [StreamAction]) {
    var interpreter = I()
    var deltas: [String] = []
    var actions: [StreamAction] = []
    var outcome: RunOutcome?
    for event in events {
        for action in interpreter.handle(event) {
            actions.append(action)
            switch action {
            case .delta(let text): deltas.append(text)
            case .finished(let result): if outcome == nil { outcome = result }
            default: break
            }
        }
    }
    if endOfStream && outcome == nil { outcome = interpreter.streamEnded(failure: nil) }
    return (deltas, outcome, actions)
}

func sseEvents(_ text: String) throws -> [SSEEvent] {
    var parser = SSEParser()
    return try parser.feed(Array(text.utf8))
}

@Suite("Assistants stream interpreter")
struct AssistantsStreamInterpreterTests {
    static func run(_ status: String, usage: String = "null", lastError: String = "null") -> String {
        #"{"id": "run_1", "object": "thread.run", "thread_id": "thread_1", "status": "\#(status)", "model": "gpt-4o-mini", "last_error": \#(lastError), "usage": \#(usage)}"#
    }

    static func step(usage: String) -> String {
        #"{"id": "step_1", "object": "thread.run.step", "run_id": "run_1", "status": "completed", "usage": \#(usage)}"#
    }

    static func delta(_ text: String) -> SSEEvent {
        SSEEvent(event: "thread.message.delta", data: #"{"id": "msg_1", "object": "thread.message.delta", "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "\#(text)", "annotations": []}}]}}"#)
    }

    @Test("the recorded stream relays every delta in order and ends completed with the run usage and model")
    func recordedFixture() throws {
        let (deltas, outcome, actions) = interpret(AssistantsStreamInterpreter.self, try sseEvents(RecordedFixtures.assistantsRunStream))
        #expect(deltas.count == 26)
        #expect(deltas.first == "Based")
        #expect(deltas.last == " proposal ✓")
        #expect(actions.first == .runCreated("run_tFMIkOX3TiujVMY3DeuHJT0z"))
        let result = try #require(outcome)
        #expect(result.status == .completed)
        #expect(result.error == nil)
        #expect(result.runId == "run_tFMIkOX3TiujVMY3DeuHJT0z")
        #expect(result.model == "gpt-4o-mini")
        #expect(result.reportedUsage == TokenUsage(inputTokens: 62, outputTokens: 49))
        #expect(result.answer == deltas.joined())
        #expect(result.answer.contains("\nNext steps — demo"))
    }

    @Test("without run usage the completed steps' usages are summed")
    func stepUsageFallback() {
        let events = [
            SSEEvent(event: "thread.run.created", data: Self.run("queued")),
            Self.delta("Hi"),
            SSEEvent(event: "thread.run.step.completed", data: Self.step(usage: #"{"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}"#)),
            SSEEvent(event: "thread.run.step.completed", data: Self.step(usage: #"{"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}"#)),
            SSEEvent(event: "thread.run.completed", data: Self.run("completed")),
            SSEEvent(event: "done", data: "[DONE]"),
        ]
        let outcome = interpret(AssistantsStreamInterpreter.self, events).outcome
        #expect(outcome?.status == .completed)
        #expect(outcome?.reportedUsage == TokenUsage(inputTokens: 30, outputTokens: 10))
    }

    @Test("run usage wins over step usage")
    func runUsageFirst() {
        let events = [
            SSEEvent(event: "thread.run.step.completed", data: Self.step(usage: #"{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}"#)),
            SSEEvent(event: "thread.run.completed", data: Self.run("completed", usage: #"{"prompt_tokens": 89, "completion_tokens": 67, "total_tokens": 156}"#)),
        ]
        #expect(interpret(AssistantsStreamInterpreter.self, events).outcome?.reportedUsage == TokenUsage(inputTokens: 89, outputTokens: 67))
    }

    @Test("with no usage anywhere a completed run reports none (the service estimates)")
    func noUsage() {
        let events = [Self.delta("Hello"), SSEEvent(event: "thread.run.completed", data: Self.run("completed"))]
        let outcome = interpret(AssistantsStreamInterpreter.self, events).outcome
        #expect(outcome?.status == .completed)
        #expect(outcome?.reportedUsage == nil)
        #expect(outcome?.answer == "Hello")
    }

    @Test("failed, incomplete, cancelled and expired runs end with that status, the upstream's message and partial usage",
          arguments: [("failed", RunStatus.failed), ("incomplete", .incomplete), ("cancelled", .cancelled), ("expired", .expired)])
    func failedRuns(name: String, status: RunStatus) {
        let events = [
            Self.delta("Partial"),
            SSEEvent(event: "thread.run.\(name)", data: Self.run(name,
                usage: #"{"prompt_tokens": 40, "completion_tokens": 5, "total_tokens": 45}"#,
                lastError: #"{"code": "server_error", "message": "Something went wrong."}"#)),
        ]
        let outcome = interpret(AssistantsStreamInterpreter.self, events).outcome
        #expect(outcome?.status == status)
        #expect(outcome?.reportedUsage == TokenUsage(inputTokens: 40, outputTokens: 5))
        #expect(outcome?.error == .runEnded(status, "server_error: Something went wrong."))
        #expect(outcome?.answer == "Partial")
    }

    @Test("an error event breaks the run and keeps step usage")
    func errorEvent() {
        let events = [
            SSEEvent(event: "thread.run.step.completed", data: Self.step(usage: #"{"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}"#)),
            SSEEvent(event: "error", data: #"{"error": {"message": "The server had an error", "type": "server_error"}}"#),
        ]
        let outcome = interpret(AssistantsStreamInterpreter.self, events).outcome
        #expect(outcome?.status == .broken)
        #expect(outcome?.error == .streamBroken("upstream error event: The server had an error"))
        #expect(outcome?.reportedUsage == TokenUsage(inputTokens: 5, outputTokens: 2))
    }

    @Test("[DONE] or the end of the stream before a terminal event is a broken stream")
    func endsWithoutTerminal() {
        let done = interpret(AssistantsStreamInterpreter.self, [Self.delta("a"), SSEEvent(event: "done", data: "[DONE]")]).outcome
        #expect(done?.status == .broken)
        guard case .streamBroken = done?.error else {
            Issue.record("expected streamBroken, got \(String(describing: done?.error))")
            return
        }
        let cut = interpret(AssistantsStreamInterpreter.self, [Self.delta("a")]).outcome
        #expect(cut?.error == .streamBroken("the stream ended without a terminal run event"))
        #expect(cut?.answer == "a")
    }

    @Test("malformed JSON in an event ends the run as malformed")
    func malformedJSON() {
        let events = [Self.delta("a"), SSEEvent(event: "thread.message.delta", data: #"{"delta": {"content": [{"text": {"value": 5"#)]
        let outcome = interpret(AssistantsStreamInterpreter.self, events).outcome
        #expect(outcome?.status == .broken)
        guard case .malformed = outcome?.error else {
            Issue.record("expected malformed, got \(String(describing: outcome?.error))")
            return
        }
        #expect(outcome?.answer == "a")
    }

    @Test("events after the terminal one are ignored")
    func afterTerminal() {
        let events = [SSEEvent(event: "thread.run.completed", data: Self.run("completed")), Self.delta("late")]
        let (deltas, outcome, _) = interpret(AssistantsStreamInterpreter.self, events)
        #expect(deltas.isEmpty)
        #expect(outcome?.status == .completed)
    }

    @Test("a run that requires action fails and asks for an upstream cancel")
    func requiresAction() {
        let actions = interpret(AssistantsStreamInterpreter.self, [SSEEvent(event: "thread.run.requires_action", data: Self.run("requires_action"))]).actions
        #expect(actions.last == .cancelUpstream)
    }

    @Test("a polled terminal run object ends the run with its usage")
    func polledRun() throws {
        var interpreter = AssistantsStreamInterpreter()
        _ = interpreter.handle(SSEEvent(event: "thread.run.created", data: Self.run("queued")))
        let inProgress = try WireJSON.decode(AssistantsWire.Run.self, from: Self.run("cancelling"))
        #expect(interpreter.finish(fromPolled: inProgress) == nil)
        let cancelled = try WireJSON.decode(AssistantsWire.Run.self, from: Self.run("cancelled", usage: #"{"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10}"#))
        let outcome = interpreter.finish(fromPolled: cancelled)
        #expect(outcome?.status == .cancelled)
        #expect(outcome?.reportedUsage == TokenUsage(inputTokens: 9, outputTokens: 1))
    }
}

@Suite("Responses stream interpreter")
struct ResponsesStreamInterpreterTests {
    static func response(_ type: String, status: String, usage: String = "null", error: String = "null") -> SSEEvent {
        SSEEvent(event: type, data: #"{"type": "\#(type)", "sequence_number": 9, "response": {"id": "resp_1", "object": "response", "status": "\#(status)", "model": "gpt-4o-mini-2024-07-18", "error": \#(error), "incomplete_details": null, "usage": \#(usage)}}"#)
    }

    static func delta(_ text: String) -> SSEEvent {
        SSEEvent(event: "response.output_text.delta", data: #"{"type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "\#(text)", "logprobs": []}"#)
    }

    @Test("the recorded stream relays every delta and ends completed with usage details always set")
    func recordedFixture() throws {
        let (deltas, outcome, actions) = interpret(ResponsesStreamInterpreter.self, try sseEvents(RecordedFixtures.responsesStream))
        #expect(deltas.count == 22)
        #expect(deltas.first == "Based on the")
        #expect(actions.first == .runCreated("resp_205e95b867cf3d377fda19ba940b063892893caa585c7056"))
        let result = try #require(outcome)
        #expect(result.status == .completed)
        #expect(result.runId == "resp_205e95b867cf3d377fda19ba940b063892893caa585c7056")
        #expect(result.model == "gpt-4o-mini-2024-07-18")
        #expect(result.reportedUsage == TokenUsage(inputTokens: 62, outputTokens: 45, cachedInputTokens: 0, reasoningTokens: 0))
        #expect(result.answer == deltas.joined())
    }

    @Test("cached and reasoning tokens are parts of input and output, never added on top")
    func detailsAreParts() {
        let usage = #"{"input_tokens": 100, "input_tokens_details": {"cached_tokens": 64}, "output_tokens": 30, "output_tokens_details": {"reasoning_tokens": 12}, "total_tokens": 130}"#
        let outcome = interpret(ResponsesStreamInterpreter.self, [Self.response("response.completed", status: "completed", usage: usage)]).outcome
        #expect(outcome?.reportedUsage == TokenUsage(inputTokens: 100, outputTokens: 30, cachedInputTokens: 64, reasoningTokens: 12))
        #expect(outcome?.reportedUsage?.totalTokens == 130)
    }

    @Test("missing usage details are reported as 0")
    func detailsDefaultToZero() {
        let usage = #"{"input_tokens": 10, "output_tokens": 3, "total_tokens": 13}"#
        let outcome = interpret(ResponsesStreamInterpreter.self, [Self.response("response.completed", status: "completed", usage: usage)]).outcome
        #expect(outcome?.reportedUsage == TokenUsage(inputTokens: 10, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0))
    }

    @Test("incomplete and failed responses end with that status and their partial usage",
          arguments: [("response.incomplete", "incomplete", RunStatus.incomplete), ("response.failed", "failed", .failed)])
    func failedResponses(type: String, status: String, expected: RunStatus) {
        let usage = #"{"input_tokens": 50, "output_tokens": 4, "total_tokens": 54}"#
        let events = [Self.delta("Part"), Self.response(type, status: status, usage: usage, error: #"{"code": "server_error", "message": "boom"}"#)]
        let outcome = interpret(ResponsesStreamInterpreter.self, events).outcome
        #expect(outcome?.status == expected)
        #expect(outcome?.reportedUsage == TokenUsage(inputTokens: 50, outputTokens: 4, cachedInputTokens: 0, reasoningTokens: 0))
        #expect(outcome?.error == .runEnded(expected, "server_error: boom"))
    }

    @Test("an error event breaks the run")
    func errorEvent() {
        let events = [Self.delta("x"), SSEEvent(event: "error", data: #"{"type": "error", "code": "server_error", "message": "overloaded", "param": null, "sequence_number": 5}"#)]
        let outcome = interpret(ResponsesStreamInterpreter.self, events).outcome
        #expect(outcome?.status == .broken)
        #expect(outcome?.error == .streamBroken("upstream error event: server_error: overloaded"))
    }

    @Test("a [DONE] after the terminal event is tolerated; before it the stream is broken")
    func doneTolerated() {
        let after = interpret(ResponsesStreamInterpreter.self, [Self.response("response.completed", status: "completed"), SSEEvent(data: "[DONE]")]).outcome
        #expect(after?.status == .completed)
        let before = interpret(ResponsesStreamInterpreter.self, [Self.delta("x"), SSEEvent(data: "[DONE]")]).outcome
        #expect(before?.status == .broken)
    }

    @Test("malformed JSON ends the run as malformed")
    func malformed() {
        let outcome = interpret(ResponsesStreamInterpreter.self, [SSEEvent(event: "response.output_text.delta", data: "{not json")]).outcome
        guard case .malformed = outcome?.error else {
            Issue.record("expected malformed, got \(String(describing: outcome?.error))")
            return
        }
    }
}
