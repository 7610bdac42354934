// Responses + Conversations objects and streams, rendered byte for byte like the recorded upstream.
import HTTPWire

/// Renders Responses API objects with the field order and layout of `responses-stream.sse`.
public enum MockResponsesWire {
    /// Token counts as the Responses API reports them (cached and reasoning are parts of the totals).
    public struct Usage: Sendable, Equatable {
        public var inputTokens: Int
        public var cachedTokens: Int
        public var outputTokens: Int
        public var reasoningTokens: Int
        public var totalTokens: Int { inputTokens + outputTokens }

        public init(inputTokens: Int, cachedTokens: Int = 0, outputTokens: Int, reasoningTokens: Int = 0) {
            self.inputTokens = inputTokens
            self.cachedTokens = cachedTokens
            self.outputTokens = outputTokens
            self.reasoningTokens = reasoningTokens
        }

        var json: MockJSON {
            .object([
                ("input_tokens", .int(inputTokens)),
                ("input_tokens_details", .object([("cached_tokens", .int(cachedTokens)), ("cache_write_tokens", 0)])),
                ("output_tokens", .int(outputTokens)),
                ("output_tokens_details", .object([("reasoning_tokens", .int(reasoningTokens))])),
                ("total_tokens", .int(totalTokens)),
            ])
        }
    }

    /// Everything that varies between two responses' streams.
    public struct ResponseFacts: Sendable {
        public var responseId: String
        public var conversationId: String
        public var messageId: String
        public var model: String
        public var instructions: String?
        public var createdAt: Int
        public var metadata: [(String, String)]
        /// False for a response created without a conversation (`"conversation": null`).
        public var inConversation: Bool

        public init(responseId: String, conversationId: String, messageId: String, model: String, instructions: String?, createdAt: Int,
                    metadata: [(String, String)] = [], inConversation: Bool = true) {
            self.inConversation = inConversation
            self.responseId = responseId
            self.conversationId = conversationId
            self.messageId = messageId
            self.model = model
            self.instructions = instructions
            self.createdAt = createdAt
            self.metadata = metadata
        }
    }

    /// A response's status fields.
    public struct ResponseState: Sendable {
        public var status: String
        public var text: String?
        public var usage: Usage?
        public var error: (code: String, message: String)?
        public var incompleteReason: String?

        public init(status: String, text: String? = nil, usage: Usage? = nil, error: (code: String, message: String)? = nil, incompleteReason: String? = nil) {
            self.status = status
            self.text = text
            self.usage = usage
            self.error = error
            self.incompleteReason = incompleteReason
        }
    }

    static func outputText(_ text: String) -> MockJSON {
        .object([("type", "output_text"), ("annotations", .array([])), ("logprobs", .array([])), ("text", .string(text))])
    }

    static func messageItem(_ facts: ResponseFacts, status: String, text: String?) -> MockJSON {
        .object([
            ("id", .string(facts.messageId)),
            ("type", "message"),
            ("status", .string(status)),
            ("content", .array(text.map { [outputText($0)] } ?? [])),
            ("role", "assistant"),
        ])
    }

    /// A `response` object.
    public static func response(_ facts: ResponseFacts, _ state: ResponseState) -> MockJSON {
        let finished = state.status != "in_progress" && state.status != "queued"
        let output: MockJSON = finished && state.text != nil
            ? .array([messageItem(facts, status: state.status == "completed" ? "completed" : "incomplete", text: state.text)])
            : .array([])
        return .object([
            ("id", .string(facts.responseId)),
            ("object", "response"),
            ("created_at", .int(facts.createdAt)),
            ("status", .string(state.status)),
            ("background", false),
            ("billing", .object([("payer", "developer")])),
            ("completed_at", state.status == "completed" ? .int(facts.createdAt) : .null),
            ("conversation", facts.inConversation ? .object([("id", .string(facts.conversationId))]) : .null),
            ("error", state.error.map { .object([("code", .string($0.code)), ("message", .string($0.message))]) } ?? .null),
            ("incomplete_details", state.incompleteReason.map { .object([("reason", .string($0))]) } ?? .null),
            ("instructions", .optional(facts.instructions)),
            ("max_output_tokens", .null),
            ("max_tool_calls", .null),
            ("model", .string(facts.model)),
            ("output", output),
            ("parallel_tool_calls", true),
            ("previous_response_id", .null),
            ("prompt_cache_key", .null),
            ("prompt_cache_retention", .null),
            ("reasoning", .object([("effort", .null), ("summary", .null)])),
            ("safety_identifier", .null),
            ("service_tier", "default"),
            ("store", true),
            ("temperature", .double(1.0)),
            ("text", .object([("format", .object([("type", "text")])), ("verbosity", "medium")])),
            ("tool_choice", "auto"),
            ("tools", .array([])),
            ("top_logprobs", 0),
            ("top_p", .double(1.0)),
            ("truncation", "disabled"),
            ("usage", state.usage?.json ?? .null),
            ("user", .null),
            ("metadata", .metadata(facts.metadata)),
        ])
    }

    /// A `conversation` object.
    public static func conversation(id: String, createdAt: Int, metadata: [(String, String)]) -> MockJSON {
        .object([("id", .string(id)), ("object", "conversation"), ("created_at", .int(createdAt)), ("metadata", .metadata(metadata))])
    }

    /// Writes events with increasing `sequence_number`s.
    public struct EventWriter: Sendable {
        public let facts: ResponseFacts
        public private(set) var sequence = 0

        public init(facts: ResponseFacts) { self.facts = facts }

        mutating func event(_ type: String, _ fields: [(String, MockJSON)]) -> String {
            defer { sequence += 1 }
            let data = MockJSON.object([("type", .string(type)), ("sequence_number", .int(sequence))] + fields)
            return String(decoding: SSEEncoder.event(type, data: data.render()), as: UTF8.self)
        }

        private var part: [(String, MockJSON)] {
            [("item_id", .string(facts.messageId)), ("output_index", 0), ("content_index", 0)]
        }

        /// `response.created`, `response.in_progress`, `response.output_item.added`, `response.content_part.added`.
        public mutating func opening() -> [String] {
            let inProgress = MockResponsesWire.response(facts, ResponseState(status: "in_progress"))
            return [
                event("response.created", [("response", inProgress)]),
                event("response.in_progress", [("response", inProgress)]),
                event("response.output_item.added", [("output_index", 0), ("item", messageItem(facts, status: "in_progress", text: nil))]),
                event("response.content_part.added", part + [("part", outputText(""))]),
            ]
        }

        /// One `response.output_text.delta`; `obfuscation` pads the event like the real API does.
        public mutating func delta(_ text: String, obfuscation: String) -> String {
            event("response.output_text.delta", part + [("delta", .string(text)), ("logprobs", .array([])), ("obfuscation", .string(obfuscation))])
        }

        /// The `…done` events and the terminal `response.<status>` event.
        public mutating func closing(text: String, state: ResponseState) -> [String] {
            let itemStatus = state.status == "completed" ? "completed" : "incomplete"
            return [
                event("response.output_text.done", part + [("text", .string(text)), ("logprobs", .array([]))]),
                event("response.content_part.done", part + [("part", outputText(text))]),
                event("response.output_item.done", [("output_index", 0), ("item", messageItem(facts, status: itemStatus, text: text))]),
                event("response.\(state.status)", [("response", MockResponsesWire.response(facts, state))]),
            ]
        }

        /// An `error` event.
        public mutating func error(code: String, message: String) -> String {
            event("error", [("code", .string(code)), ("message", .string(message)), ("param", .null)])
        }
    }
}
