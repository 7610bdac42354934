// Assistants API v2 objects and run streams, rendered byte for byte like the recorded upstream.
import HTTPWire

/// Renders Assistants objects with the field order and layout of `assistants-run-stream.sse`.
public enum MockAssistantsWire {
    /// Token counts as the Assistants API reports them.
    public struct Usage: Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        public var totalTokens: Int { promptTokens + completionTokens }

        public init(promptTokens: Int, completionTokens: Int) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
        }

        var json: MockJSON {
            .object([("prompt_tokens", .int(promptTokens)), ("completion_tokens", .int(completionTokens)), ("total_tokens", .int(totalTokens))])
        }
    }

    /// Everything that varies between two runs' streams.
    public struct RunFacts: Sendable {
        public var runId: String
        public var threadId: String
        public var assistantId: String
        public var stepId: String
        public var messageId: String
        public var model: String
        public var instructions: String
        public var createdAt: Int
        public var metadata: [(String, String)]

        public init(runId: String, threadId: String, assistantId: String, stepId: String, messageId: String,
                    model: String, instructions: String, createdAt: Int, metadata: [(String, String)] = []) {
            self.runId = runId
            self.threadId = threadId
            self.assistantId = assistantId
            self.stepId = stepId
            self.messageId = messageId
            self.model = model
            self.instructions = instructions
            self.createdAt = createdAt
            self.metadata = metadata
        }
    }

    /// A run's status fields.
    public struct RunState: Sendable {
        public var status: String
        public var usage: Usage?
        public var lastError: (code: String, message: String)?
        public var incompleteReason: String?
        public var endedAt: Int?

        public init(status: String, usage: Usage? = nil, lastError: (code: String, message: String)? = nil, incompleteReason: String? = nil, endedAt: Int? = nil) {
            self.status = status
            self.usage = usage
            self.lastError = lastError
            self.incompleteReason = incompleteReason
            self.endedAt = endedAt
        }
    }

    /// A `thread.run` object.
    public static func run(_ facts: RunFacts, _ state: RunState) -> MockJSON {
        let started: MockJSON = state.status == "queued" ? .null : .int(facts.createdAt)
        func at(_ status: String) -> MockJSON { state.status == status ? .optional(state.endedAt ?? facts.createdAt) : .null }
        return .object([
            ("id", .string(facts.runId)),
            ("object", "thread.run"),
            ("created_at", .int(facts.createdAt)),
            ("assistant_id", .string(facts.assistantId)),
            ("thread_id", .string(facts.threadId)),
            ("status", .string(state.status)),
            ("started_at", started),
            ("expires_at", ["failed", "cancelled", "expired", "incomplete"].contains(state.status) ? .null : .int(facts.createdAt + 600)),
            ("cancelled_at", at("cancelled")),
            ("failed_at", at("failed")),
            ("completed_at", at("completed")),
            ("required_action", .null),
            ("last_error", state.lastError.map { .object([("code", .string($0.code)), ("message", .string($0.message))]) } ?? .null),
            ("model", .string(facts.model)),
            ("instructions", .string(facts.instructions)),
            ("tools", .array([])),
            ("tool_resources", .object([])),
            ("metadata", .metadata(facts.metadata)),
            ("temperature", .double(1.0)),
            ("top_p", .double(1.0)),
            ("reasoning_effort", .null),
            ("max_completion_tokens", .null),
            ("max_prompt_tokens", .null),
            ("truncation_strategy", .object([("type", "auto"), ("last_messages", .null)])),
            ("incomplete_details", state.incompleteReason.map { .object([("reason", .string($0))]) } ?? .null),
            ("usage", state.usage?.json ?? .null),
            ("response_format", "auto"),
            ("tool_choice", "auto"),
            ("parallel_tool_calls", true),
        ])
    }

    /// A `thread.run.step` object of type `message_creation`.
    public static func step(_ facts: RunFacts, status: String, usage: Usage?) -> MockJSON {
        .object([
            ("id", .string(facts.stepId)),
            ("object", "thread.run.step"),
            ("created_at", .int(facts.createdAt)),
            ("run_id", .string(facts.runId)),
            ("assistant_id", .string(facts.assistantId)),
            ("thread_id", .string(facts.threadId)),
            ("type", "message_creation"),
            ("status", .string(status)),
            ("cancelled_at", status == "cancelled" ? .int(facts.createdAt) : .null),
            ("completed_at", status == "completed" ? .int(facts.createdAt) : .null),
            ("expired_at", status == "expired" ? .int(facts.createdAt) : .null),
            ("failed_at", status == "failed" ? .int(facts.createdAt) : .null),
            ("last_error", .null),
            ("step_details", .object([("type", "message_creation"), ("message_creation", .object([("message_id", .string(facts.messageId))]))])),
            ("usage", usage?.json ?? .null),
            ("metadata", .object([])),
        ])
    }

    /// A `thread.message` object written by the assistant (`text` nil: empty content).
    public static func message(_ facts: RunFacts, status: String, text: String?) -> MockJSON {
        let content: MockJSON = text.map { .array([.object([("type", "text"), ("text", .object([("value", .string($0)), ("annotations", .array([]))]))])]) } ?? .array([])
        return .object([
            ("id", .string(facts.messageId)),
            ("object", "thread.message"),
            ("created_at", .int(facts.createdAt)),
            ("assistant_id", .string(facts.assistantId)),
            ("thread_id", .string(facts.threadId)),
            ("run_id", .string(facts.runId)),
            ("role", "assistant"),
            ("content", content),
            ("attachments", .array([])),
            ("metadata", .object([])),
            ("status", .string(status)),
            ("completed_at", status == "completed" ? .int(facts.createdAt) : .null),
            ("incomplete_at", .null),
            ("incomplete_details", .null),
        ])
    }

    /// A user message as `POST /threads/{id}/messages` answers it.
    public static func userMessage(id: String, threadId: String, text: String, createdAt: Int, role: String = "user") -> MockJSON {
        .object([
            ("id", .string(id)),
            ("object", "thread.message"),
            ("created_at", .int(createdAt)),
            ("assistant_id", .null),
            ("thread_id", .string(threadId)),
            ("run_id", .null),
            ("role", .string(role)),
            ("content", .array([.object([("type", "text"), ("text", .object([("value", .string(text)), ("annotations", .array([]))]))])])),
            ("attachments", .array([])),
            ("metadata", .object([])),
        ])
    }

    /// A `thread` object.
    public static func thread(id: String, createdAt: Int, metadata: [(String, String)]) -> MockJSON {
        .object([("id", .string(id)), ("object", "thread"), ("created_at", .int(createdAt)), ("metadata", .metadata(metadata)), ("tool_resources", .object([]))])
    }

    /// A `thread.message.delta` object.
    public static func delta(_ facts: RunFacts, text: String) -> MockJSON {
        .object([
            ("id", .string(facts.messageId)),
            ("object", "thread.message.delta"),
            ("delta", .object([("content", .array([.object([("index", 0), ("type", "text"), ("text", .object([("value", .string(text)), ("annotations", .array([]))]))])]))])),
        ])
    }

    /// One SSE event: `event: <name>\ndata: <json>\n\n`.
    public static func event(_ name: String, _ data: MockJSON) -> String {
        String(decoding: SSEEncoder.event(name, data: data.render()), as: UTF8.self)
    }

    /// The closing `event: done` / `data: [DONE]`.
    public static let done = "event: done\ndata: [DONE]\n\n"

    /// The events before the first delta: run created/queued/in_progress, step and message created.
    public static func opening(_ facts: RunFacts) -> [String] {
        [
            event("thread.run.created", run(facts, RunState(status: "queued"))),
            event("thread.run.queued", run(facts, RunState(status: "queued"))),
            event("thread.run.in_progress", run(facts, RunState(status: "in_progress"))),
            event("thread.run.step.created", step(facts, status: "in_progress", usage: nil)),
            event("thread.run.step.in_progress", step(facts, status: "in_progress", usage: nil)),
            event("thread.message.created", message(facts, status: "in_progress", text: nil)),
            event("thread.message.in_progress", message(facts, status: "in_progress", text: nil)),
        ]
    }

    /// The events after the last delta of a completed run.
    public static func closing(_ facts: RunFacts, answer: String, stepUsage: Usage?, runUsage: Usage?) -> [String] {
        [
            event("thread.message.completed", message(facts, status: "completed", text: answer)),
            event("thread.run.step.completed", step(facts, status: "completed", usage: stepUsage)),
            event("thread.run.completed", run(facts, RunState(status: "completed", usage: runUsage))),
            done,
        ]
    }

    /// A complete stream of a completed run (what the recorded fixture holds).
    public static func completedStream(_ facts: RunFacts, deltas: [String], usage: Usage) -> String {
        (opening(facts) + deltas.map { event("thread.message.delta", delta(facts, text: $0)) }
            + closing(facts, answer: deltas.joined(), stepUsage: usage, runUsage: usage)).joined()
    }
}
