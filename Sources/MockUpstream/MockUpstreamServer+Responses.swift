// The mock's Responses + Conversations endpoints: conversations, streamed responses, GET response.
import Foundation
import HTTPServer
import HTTPWire

extension MockUpstreamServer {
    func createConversation(body: [String: Any]?, count: Int) -> HTTPResponse {
        let id = makeConversation()
        return jsonResponse(MockResponsesWire.conversation(id: id, createdAt: Self.now, metadata: Self.stringMetadata(body)), count: count)
    }

    /// The question of a `POST /responses` body: `input` as a string or as messages.
    static func question(in body: [String: Any]) -> String? {
        if let text = body["input"] as? String { return text }
        guard let items = body["input"] as? [[String: Any]] else { return nil }
        let texts = items.filter { ($0["role"] as? String) == "user" }.compactMap { $0["content"] as? String }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    func createResponse(body: [String: Any]?, fault: MockUpstreamFault?, count: Int) -> HTTPResponse {
        guard let body, let model = body["model"] as? String, !model.isEmpty else {
            return errorResponse(400, "Missing required parameter: 'model'.", param: "model", count: count)
        }
        guard let query = Self.question(in: body) else {
            return errorResponse(400, "Missing required parameter: 'input'.", param: "input", count: count)
        }
        let streamed = body["stream"] as? Bool == true
        let background = body["background"] as? Bool == true
        let named = (body["conversation"] as? String) ?? ((body["conversation"] as? [String: Any])?["id"] as? String)
        // Without a conversation the response stands alone: the mock keeps its history under a hidden one.
        let conversationId = named ?? makeConversation()
        let instructions = body["instructions"] as? String
        let responseId = Self.makeId("resp_", hex: 48)
        let plan = state.withLock { state -> (MockResponsesWire.ResponseFacts, [String], Int, Duration, MockUpstreamSettings)? in
            guard var conversation = state.conversations[conversationId] else { return nil }
            conversation.runs += 1
            conversation.messages += 1
            state.conversations[conversationId] = conversation
            let settings = state.settings
            let answer = settings.answer ?? MockAnswer.text(query: query, runNumber: conversation.runs, messages: conversation.messages)
            let prompt = 40 + MockAnswer.tokens(instructions ?? "") + conversation.historyTokens + MockAnswer.tokens(query)
            state.runs[responseId] = .init(threadId: conversationId, status: "in_progress", promptTokens: prompt,
                                           queryTokens: MockAnswer.tokens(query), omitUsage: fault == .omitAllUsage,
                                           metadata: Self.stringMetadata(body), inConversation: named != nil)
            let facts = MockResponsesWire.ResponseFacts(
                responseId: responseId, conversationId: conversationId, messageId: Self.makeId("msg_", hex: 48),
                model: settings.responsesModel, instructions: instructions, createdAt: Self.now, metadata: Self.stringMetadata(body),
                inConversation: named != nil)
            return (facts, MockAnswer.deltas(answer, count: settings.deltaCount), prompt, settings.deltaDelay, settings)
        }
        guard let (facts, deltas, prompt, delay, settings) = plan else {
            return errorResponse(404, "Conversation with id '\(conversationId)' not found.", param: "conversation", count: count)
        }
        if !streamed {
            let answer = deltas.joined()
            if background {
                runInBackground(facts.responseId, answer: answer, prompt: prompt, responses: true)
                return jsonResponse(MockResponsesWire.response(facts, .init(status: "queued")), count: count)
            }
            // A foreground response answers once it is complete, with its usage.
            let output = MockAnswer.tokens(answer)
            let usage = MockResponsesWire.Usage(inputTokens: prompt, cachedTokens: min(settings.cachedTokens, prompt),
                                                outputTokens: output, reasoningTokens: min(settings.reasoningTokens, output))
            state.withLock { state in
                state.finish(facts.responseId, status: "completed", output: answer, usage: (prompt, output), responses: true)
                state.markDelivered(facts.responseId)
            }
            return jsonResponse(MockResponsesWire.response(facts, .init(status: "completed", text: answer, usage: usage)), count: count)
        }
        return eventStream(count: count) { writer in
            try await self.streamResponse(facts: facts, deltas: deltas, prompt: prompt, delay: delay, settings: settings, fault: fault, writer: writer)
        }
    }

    private func streamResponse(facts: MockResponsesWire.ResponseFacts, deltas: [String], prompt: Int, delay: Duration,
                                settings: MockUpstreamSettings, fault: MockUpstreamFault?, writer: any ResponseBodyWriter) async throws {
        let id = facts.responseId
        var events = MockResponsesWire.EventWriter(facts: facts)
        var sent = ""
        func usage(_ text: String) -> MockResponsesWire.Usage {
            let output = MockAnswer.tokens(text)
            return MockResponsesWire.Usage(inputTokens: prompt, cachedTokens: min(settings.cachedTokens, prompt),
                                           outputTokens: output, reasoningTokens: min(settings.reasoningTokens, output))
        }
        func finish(_ status: String, _ text: String) {
            let reported = usage(text)
            state.withLock { $0.finish(id, status: status, output: text, usage: (reported.inputTokens, reported.outputTokens), responses: true) }
        }
        func write(_ text: String) async throws { try await writer.write(Self.bytes(text)) }
        do {
            try await write(events.opening().joined())
            let breakAt: Int? = switch fault {
            case .malformedJSON, .malformedSSE, .cutStream, .errorEvent, .stallStream: min(2, deltas.count)
            case .runEnds: deltas.count / 2
            default: nil
            }
            for index in 0..<deltas.count {
                if index == breakAt, let fault {
                    switch fault {
                    case .malformedJSON:
                        let event = events.delta("broken", obfuscation: "x")
                        try await write(String(event.prefix(event.count / 2)) + "\n\n")
                    case .malformedSSE:
                        let one = events.delta(" glued", obfuscation: "x")
                        try await write(String(one.dropLast()) + events.delta(" together", obfuscation: "y"))
                    case .stallStream(let duration):
                        try await Task.sleep(for: duration)
                    case .errorEvent:
                        try await write(events.error(code: "server_error", message: "The server had an error while processing your request."))
                    case .runEnds(let status):
                        var terminal = MockResponsesWire.ResponseState(status: status, text: sent, usage: fault == .omitAllUsage ? nil : usage(sent))
                        if status == "failed" { terminal.error = ("server_error", "Sorry, something went wrong.") }
                        if status == "incomplete" { terminal.incompleteReason = "max_output_tokens" }
                        finish(status, sent)
                        try await writeTerminal(id, events.closing(text: sent, state: terminal).joined(), write)
                        return
                    default:
                        break
                    }
                    finish("failed", sent)
                    return
                }
                if delay > .zero { try await Task.sleep(for: delay) }
                try await write(events.delta(deltas[index], obfuscation: Self.obfuscation(for: deltas[index])))
                sent += deltas[index]
            }
            let omit = fault == .omitAllUsage || fault == .omitRunUsage
            finish("completed", sent)
            if fault == .omitRunUsage { state.withLock { $0.runs[id]?.usage = nil } }
            try await writeTerminal(id, events.closing(text: sent, state: .init(status: "completed", text: sent, usage: omit ? nil : usage(sent))).joined(), write)
        } catch {
            // The client closed the stream: a foreground response stops; GET shows it cancelled with partial usage.
            finish("cancelled", sent)
            throw error
        }
    }

    /// Padding like the real API's `obfuscation` field (its length varies with the delta).
    static func obfuscation(for delta: String) -> String {
        let characters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let length = max(1, (16 - delta.utf8.count % 16) % 9)
        return String((0..<length).map { _ in characters.randomElement() ?? "x" })
    }

    func getResponse(id: String, count: Int) -> HTTPResponse {
        let found = state.withLock { state -> (MockUpstreamState.Run, MockUpstreamSettings)? in
            guard let record = state.runs[id], state.conversations[record.threadId] != nil else { return nil }
            if record.isTerminal { state.markDelivered(id) }
            return (record, state.settings)
        }
        guard let (record, settings) = found else {
            return errorResponse(404, "Response with id '\(id)' not found.", count: count)
        }
        let facts = MockResponsesWire.ResponseFacts(responseId: id, conversationId: record.threadId, messageId: "msg_" + String(id.dropFirst(5)),
                                                    model: settings.responsesModel, instructions: nil, createdAt: Self.now,
                                                    metadata: record.metadata, inConversation: record.inConversation)
        let usage = record.isTerminal ? record.usage.map {
            MockResponsesWire.Usage(inputTokens: $0.input, cachedTokens: min(settings.cachedTokens, $0.input),
                                    outputTokens: $0.output, reasoningTokens: min(settings.reasoningTokens, $0.output))
        } : nil
        return jsonResponse(MockResponsesWire.response(facts, .init(status: record.status, text: record.answerSoFar, usage: usage)), count: count)
    }
}
