// The mock's Assistants API v2 endpoints: threads, messages, streamed runs, cancel, GET run.
import Foundation
import HTTPServer
import HTTPWire

extension MockUpstreamServer {
    static func stringMetadata(_ body: [String: Any]?) -> [(String, String)] {
        guard let metadata = body?["metadata"] as? [String: Any] else { return [] }
        return metadata.compactMap { key, value in (value as? String).map { (key, $0) } }.sorted { $0.0 < $1.0 }
    }

    func createThread(body: [String: Any]?, count: Int) -> HTTPResponse {
        let id = makeThread()
        return jsonResponse(MockAssistantsWire.thread(id: id, createdAt: Self.now, metadata: Self.stringMetadata(body)), count: count)
    }

    func addMessage(thread: String, body: [String: Any]?, count: Int) -> HTTPResponse {
        guard let body, body["role"] as? String == "user", let content = body["content"] as? String else {
            return errorResponse(400, "A message needs \"role\": \"user\" and a string \"content\".", count: count)
        }
        let messageId = Self.makeId("msg_", alphanumerics: 24)
        let known = state.withLock { state -> Bool in
            guard state.threads[thread] != nil else { return false }
            state.threads[thread]?.messages += 1
            state.threads[thread]?.lastQuery = content
            state.threads[thread]?.transcript.append((id: messageId, role: "user", text: content))
            return true
        }
        guard known else { return errorResponse(404, "No thread found with id '\(thread)'.", count: count) }
        let message = MockAssistantsWire.userMessage(id: messageId, threadId: thread, text: content, createdAt: Self.now)
        return jsonResponse(message, count: count)
    }

    /// `announceThread`: the run's thread was created by this request (`POST /threads/runs`): a
    /// streamed answer starts with `thread.created`.
    func createRun(thread: String, body: [String: Any]?, fault: MockUpstreamFault?, count: Int, announceThread: MockJSON? = nil) -> HTTPResponse {
        guard let body, let assistantId = body["assistant_id"] as? String else {
            return errorResponse(400, "Missing required parameter: 'assistant_id'.", param: "assistant_id", count: count)
        }
        let streamed = body["stream"] as? Bool == true
        let additional = body["additional_instructions"] as? String
        let runId = Self.makeId("run_", alphanumerics: 24)
        let plan = state.withLock { state -> (MockAssistantsWire.RunFacts, [String], Int, Duration)? in
            guard var conversation = state.threads[thread] else { return nil }
            conversation.runs += 1
            state.threads[thread] = conversation
            let settings = state.settings
            let query = conversation.lastQuery ?? "your question"
            let answer = settings.answer ?? MockAnswer.text(query: query, runNumber: conversation.runs, messages: conversation.messages)
            let prompt = 40 + MockAnswer.tokens(settings.instructions) + MockAnswer.tokens(additional ?? "") + conversation.historyTokens + MockAnswer.tokens(query)
            state.runs[runId] = .init(threadId: thread, status: "queued", promptTokens: prompt, queryTokens: MockAnswer.tokens(query),
                                      omitUsage: fault == .omitAllUsage, metadata: Self.stringMetadata(body))
            let facts = MockAssistantsWire.RunFacts(
                runId: runId, threadId: thread, assistantId: assistantId,
                stepId: Self.makeId("step_", alphanumerics: 24), messageId: Self.makeId("msg_", alphanumerics: 24),
                model: settings.assistantsModel, instructions: settings.instructions, createdAt: Self.now,
                metadata: Self.stringMetadata(body))
            return (facts, MockAnswer.deltas(answer, count: settings.deltaCount), prompt, settings.deltaDelay)
        }
        guard let (facts, deltas, prompt, delay) = plan else {
            return errorResponse(404, "No thread found with id '\(thread)'.", count: count)
        }
        guard streamed else {
            runInBackground(facts.runId, answer: deltas.joined(), prompt: prompt, responses: false)
            return jsonResponse(MockAssistantsWire.run(facts, .init(status: "queued")), count: count)
        }
        return eventStream(count: count) { writer in
            if let announceThread { try await writer.write(Self.bytes(MockAssistantsWire.event("thread.created", announceThread))) }
            try await self.streamRun(facts: facts, deltas: deltas, prompt: prompt, delay: delay, fault: fault, writer: writer)
        }
    }

    /// Writes one run's events; honours stream faults and a cancel request arriving meanwhile.
    private func streamRun(facts: MockAssistantsWire.RunFacts, deltas: [String], prompt: Int, delay: Duration,
                           fault: MockUpstreamFault?, writer: any ResponseBodyWriter) async throws {
        typealias Wire = MockAssistantsWire
        let runId = facts.runId
        var sent = ""
        func usage(_ text: String) -> Wire.Usage { Wire.Usage(promptTokens: prompt, completionTokens: MockAnswer.tokens(text)) }
        func write(_ text: String) async throws { try await writer.write(Self.bytes(text)) }
        do {
            state.withLock { $0.runs[runId]?.status = "in_progress" }
            try await write(Wire.opening(facts).joined())
            let breakAt: Int? = switch fault {
            case .malformedJSON, .malformedSSE, .cutStream, .errorEvent, .stallStream: min(2, deltas.count)
            case .runEnds: deltas.count / 2
            default: nil
            }
            for index in 0...deltas.count {
                if index == breakAt, let fault {
                    try await streamFault(fault, facts: facts, sent: sent, usage: usage(sent), write: write)
                    return
                }
                if let cancel = state.withLock({ state in state.runs[runId].map { ($0.cancelRequested, $0.cutOnCancel) } }), cancel.0 {
                    let partial = usage(sent)
                    state.withLock { $0.finish(runId, status: "cancelled", output: sent, usage: (partial.promptTokens, partial.completionTokens), responses: false) }
                    if cancel.1 { return }  // cut: the usage is visible only through GET
                    try await write(Wire.event("thread.run.cancelling", Wire.run(facts, .init(status: "cancelling"))))
                    try await write(Wire.event("thread.run.step.cancelled", Wire.step(facts, status: "cancelled", usage: partial)))
                    try await writeTerminal(runId, Wire.event("thread.run.cancelled", Wire.run(facts, .init(status: "cancelled", usage: partial))) + Wire.done, write)
                    return
                }
                guard index < deltas.count else { break }
                if delay > .zero { try await Task.sleep(for: delay) }
                try await write(Wire.event("thread.message.delta", Wire.delta(facts, text: deltas[index])))
                sent += deltas[index]
                state.withLock { $0.runs[runId]?.answerSoFar = sent }
            }
            let full = usage(sent)
            let stepUsage: Wire.Usage? = fault == .omitAllUsage ? nil : full
            let runUsage: Wire.Usage? = (fault == .omitAllUsage || fault == .omitRunUsage) ? nil : full
            state.withLock { state in
                state.finish(runId, status: "completed", output: sent, usage: stepUsage.map { ($0.promptTokens, $0.completionTokens) }, responses: false)
            }
            try await writeTerminal(runId, Wire.closing(facts, answer: sent, stepUsage: stepUsage, runUsage: runUsage).joined(), write)
        } catch {
            // The client went away: like the real API, the run goes on to completion upstream.
            let full = usage(deltas.joined())
            state.withLock { $0.finish(runId, status: "completed", output: deltas.joined(), usage: (full.promptTokens, full.completionTokens), responses: false) }
            throw error
        }
    }

    private func streamFault(_ fault: MockUpstreamFault, facts: MockAssistantsWire.RunFacts, sent: String, usage: MockAssistantsWire.Usage,
                             write: (String) async throws -> Void) async throws {
        typealias Wire = MockAssistantsWire
        let runId = facts.runId
        switch fault {
        case .malformedJSON:
            let event = Wire.event("thread.message.delta", Wire.delta(facts, text: "broken"))
            try await write(String(event.prefix(event.count / 2)) + "\n\n")
            state.withLock { $0.finish(runId, status: "failed", output: sent, usage: (usage.promptTokens, usage.completionTokens), responses: false) }
        case .malformedSSE:
            let one = Wire.event("thread.message.delta", Wire.delta(facts, text: " glued"))
            try await write(String(one.dropLast()) + Wire.event("thread.message.delta", Wire.delta(facts, text: " together")))
            state.withLock { $0.finish(runId, status: "failed", output: sent, usage: (usage.promptTokens, usage.completionTokens), responses: false) }
        case .cutStream:
            state.withLock { $0.finish(runId, status: "failed", output: sent, usage: (usage.promptTokens, usage.completionTokens), responses: false) }
        case .stallStream(let duration):
            // Silent, but like the real API a cancel ends the run (cancelled, usage so far) at once.
            let end = ContinuousClock.now + duration
            while ContinuousClock.now < end {
                if state.withLock({ $0.runs[runId]?.cancelRequested ?? false }) {
                    state.withLock { $0.finish(runId, status: "cancelled", output: sent, usage: (usage.promptTokens, usage.completionTokens), responses: false) }
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            state.withLock { $0.finish(runId, status: "expired", output: sent, usage: (usage.promptTokens, usage.completionTokens), responses: false) }
        case .errorEvent:
            state.withLock { $0.finish(runId, status: "failed", output: sent, usage: (usage.promptTokens, usage.completionTokens), responses: false) }
            let body = MockJSON.object([("error", .object([("message", "The server had an error while processing your request."), ("type", "server_error"), ("param", .null), ("code", .null)]))])
            try await write("event: error\ndata: \(body.render())\n\n")
        case .runEnds(let status):
            let state = Self.terminalState(status, usage: usage)
            self.state.withLock { $0.finish(runId, status: status, output: sent, usage: (usage.promptTokens, usage.completionTokens), responses: false) }
            try await writeTerminal(runId, Wire.event("thread.message.completed", Wire.message(facts, status: "incomplete", text: sent))
                + Wire.event("thread.run.step.\(status == "incomplete" ? "failed" : status)", Wire.step(facts, status: status == "incomplete" ? "failed" : status, usage: usage))
                + Wire.event("thread.run.\(status)", Wire.run(facts, state)) + Wire.done, write)
        default:
            break
        }
    }

    static func terminalState(_ status: String, usage: MockAssistantsWire.Usage) -> MockAssistantsWire.RunState {
        switch status {
        case "failed": .init(status: status, usage: usage, lastError: ("server_error", "Sorry, something went wrong."))
        case "incomplete": .init(status: status, usage: usage, incompleteReason: "max_completion_tokens")
        case "expired": .init(status: status, usage: usage, lastError: ("rate_limit_exceeded", "The run expired before it could complete."))
        default: .init(status: status, usage: usage)
        }
    }

    func cancelRun(thread: String, run: String, fault: MockUpstreamFault?, count: Int) -> HTTPResponse {
        enum Answer { case noThread, noRun, terminal(String), cancelling(MockAssistantsWire.RunFacts) }
        let answer = state.withLock { state -> Answer in
            guard state.threads[thread] != nil else { return .noThread }
            guard var record = state.runs[run], record.threadId == thread else { return .noRun }
            guard !record.isTerminal else { return .terminal(record.status) }
            record.cancelRequested = true
            record.cutOnCancel = fault == .cutStreamOnCancel
            state.runs[run] = record
            return .cancelling(Self.facts(run: run, record: record, settings: state.settings))
        }
        switch answer {
        case .noThread: return errorResponse(404, "No thread found with id '\(thread)'.", count: count)
        case .noRun: return errorResponse(404, "No run found with id '\(run)'.", count: count)
        case .terminal(let status): return errorResponse(400, "Cannot cancel run with status '\(status)'.", count: count)
        case .cancelling(let facts): return jsonResponse(MockAssistantsWire.run(facts, .init(status: "cancelling")), count: count)
        }
    }

    func getRun(thread: String, run: String, count: Int) -> HTTPResponse {
        let found = state.withLock { state -> (MockAssistantsWire.RunFacts, MockUpstreamState.Run)? in
            guard let record = state.runs[run], record.threadId == thread else { return nil }
            return (Self.facts(run: run, record: record, settings: state.settings), record)
        }
        guard let (facts, record) = found else { return errorResponse(404, "No run found with id '\(run)'.", count: count) }
        let status = record.cancelRequested && !record.isTerminal ? "cancelling" : record.status
        if record.isTerminal { state.withLock { $0.markDelivered(run) } }
        let usage = record.isTerminal ? record.usage.map { MockAssistantsWire.Usage(promptTokens: $0.input, completionTokens: $0.output) } : nil
        var runState = usage.map { Self.terminalState(status, usage: $0) } ?? .init(status: status)
        runState.usage = usage
        return jsonResponse(MockAssistantsWire.run(facts, runState), count: count)
    }

    /// Run facts for a `GET`/cancel answer (step and message ids are not part of a run object).
    static func facts(run: String, record: MockUpstreamState.Run, settings: MockUpstreamSettings) -> MockAssistantsWire.RunFacts {
        MockAssistantsWire.RunFacts(runId: run, threadId: record.threadId, assistantId: "asst_mock", stepId: "", messageId: "",
                                    model: settings.assistantsModel, instructions: settings.instructions, createdAt: now,
                                    metadata: record.metadata)
    }
}
