// The mock's runs that are not streamed: in progress for a while, then terminal on their own.
import Foundation
import HTTPServer
import HTTPWire

extension MockUpstreamServer {
    /// Runs `id` in the background: `in_progress` for `settings.backgroundRunDuration`, then
    /// `completed` with its full usage, or `cancelled` with the prompt's usage when a cancel came first.
    /// Its usage is reported (counted in `reportedUsage`) when a client reads it terminal.
    func runInBackground(_ id: String, answer: String, prompt: Int, responses: Bool) {
        let duration = state.withLock { state -> Duration in
            state.runs[id]?.status = "in_progress"
            return state.settings.backgroundRunDuration
        }
        Task {
            let clock = ContinuousClock()
            let end = clock.now + duration
            while clock.now < end {
                if state.withLock({ $0.runs[id]?.cancelRequested ?? true }) { break }
                try? await Task.sleep(for: .milliseconds(10))
            }
            state.withLock { state in
                guard let run = state.runs[id], !run.isTerminal else { return }
                if run.cancelRequested {
                    state.finish(id, status: "cancelled", output: "", usage: (prompt, 0), responses: responses)
                } else {
                    state.finish(id, status: "completed", output: answer, usage: (prompt, MockAnswer.tokens(answer)), responses: responses)
                }
            }
        }
    }

    /// `POST /threads/runs`: a thread with the body's `thread.messages`, then a run on it.
    func createThreadAndRun(body: [String: Any]?, fault: MockUpstreamFault?, count: Int) -> HTTPResponse {
        let thread = makeThread()
        let messages = ((body?["thread"] as? [String: Any])?["messages"] as? [[String: Any]]) ?? []
        state.withLock { state in
            for message in messages {
                guard let text = message["content"] as? String else { continue }
                state.threads[thread]?.messages += 1
                state.threads[thread]?.lastQuery = text
                state.threads[thread]?.transcript.append((id: Self.makeId("msg_", alphanumerics: 24), role: message["role"] as? String ?? "user", text: text))
            }
        }
        let announce = MockAssistantsWire.thread(id: thread, createdAt: Self.now, metadata: [])
        return createRun(thread: thread, body: body, fault: fault, count: count, announceThread: announce)
    }

    /// `GET /threads/{id}`.
    func getThread(_ thread: String, count: Int) -> HTTPResponse {
        guard state.withLock({ $0.threads[thread] != nil }) else {
            return errorResponse(404, "No thread found with id '\(thread)'.", count: count)
        }
        return jsonResponse(MockAssistantsWire.thread(id: thread, createdAt: Self.now, metadata: []), count: count)
    }

    /// `GET /threads/{id}/messages`: newest first, like the real API's default order.
    func listMessages(_ thread: String, count: Int) -> HTTPResponse {
        guard let transcript = state.withLock({ $0.threads[thread]?.transcript }) else {
            return errorResponse(404, "No thread found with id '\(thread)'.", count: count)
        }
        let items: [MockJSON] = transcript.reversed().map { entry in
            MockAssistantsWire.userMessage(id: entry.id, threadId: thread, text: entry.text, createdAt: Self.now, role: entry.role)
        }
        let list = MockJSON.object([
            ("object", "list"), ("data", .array(items)),
            ("first_id", .optional(transcript.last?.id)), ("last_id", .optional(transcript.first?.id)), ("has_more", false),
        ])
        return jsonResponse(list, count: count)
    }

    /// `GET /conversations/{id}`.
    func getConversation(_ id: String, count: Int) -> HTTPResponse {
        guard state.withLock({ $0.conversations[id] != nil }) else {
            return errorResponse(404, "Conversation with id '\(id)' not found.", count: count)
        }
        return jsonResponse(MockResponsesWire.conversation(id: id, createdAt: Self.now, metadata: []), count: count)
    }
}
