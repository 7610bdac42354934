// What the drop-in relay learns from the events and objects it passes through: run, thread, outcome.
import Foundation
import JSONText
import HTTPWire
import Metering

/// Watches one run (Assistants) or response (Responses) pass through the drop-in relay, through the
/// existing stream interpreters: the run id, the thread it belongs to (Assistants thread id, or the
/// conversation id; a response without a conversation belongs to its own id), and its outcome once a
/// terminal event arrived. The relay itself forwards the events unchanged; this only reads them.
public struct DropInRunReader: Sendable {
    private var assistants: AssistantsStreamInterpreter?
    private var responses: ResponsesStreamInterpreter?
    /// The thread (or conversation) the run belongs to, once known.
    public private(set) var threadId: String?
    /// The model as the upstream reported it, once known.
    public private(set) var model: String?

    /// A reader for a run of `surface`; `threadId` when the request already names the thread.
    public init(surface: DropInUpstream.Surface, threadId: String? = nil) {
        switch surface {
        case .assistants: assistants = AssistantsStreamInterpreter()
        case .responses: responses = ResponsesStreamInterpreter()
        }
        self.threadId = threadId
    }

    /// The run (or response) id, once known.
    public var runId: String? { assistants?.runId ?? responses?.runId }

    /// The run's end, once a terminal event (or a failure) was read.
    public var outcome: RunOutcome? { assistants?.outcome ?? responses?.outcome }

    /// The thread to account the run under: the thread or conversation, else the response's own id.
    public var accountingThreadId: String? { threadId ?? (responses != nil ? runId : nil) }

    /// Reads one relayed event. Returns the outcome when this event ended the run: the relay
    /// settles it before it relays the event.
    public mutating func read(_ event: SSEEvent) -> RunOutcome? {
        if threadId == nil { learnThread(from: event) }
        if var interpreter = assistants {
            // A run waiting for tool outputs is not over for a pass-through client: it is watched instead.
            guard event.event != "thread.run.requires_action" else { return nil }
            defer { assistants = interpreter }
            return Self.finished(interpreter.handle(event))
        }
        if var interpreter = responses {
            defer { responses = interpreter }
            return Self.finished(interpreter.handle(event))
        }
        return nil
    }

    /// The stream ended (or broke) before a terminal event: the outcome with what was reported so far.
    public mutating func streamEnded(failure: UpstreamError?) -> RunOutcome {
        if var interpreter = assistants {
            defer { assistants = interpreter }
            return interpreter.streamEnded(failure: failure)
        }
        var interpreter = responses ?? ResponsesStreamInterpreter()
        defer { responses = interpreter }
        return interpreter.streamEnded(failure: failure)
    }

    private static func finished(_ actions: [StreamAction]) -> RunOutcome? {
        for action in actions { if case .finished(let outcome) = action { return outcome } }
        return nil
    }

    private mutating func learnThread(from event: SSEEvent) {
        if assistants != nil {
            if event.event == "thread.created" {
                threadId = (try? WireJSON.decode(ThreadRef.self, from: event.data))?.id
            } else if event.event.hasPrefix("thread.run.") || event.event.hasPrefix("thread.message.") {
                threadId = (try? WireJSON.decode(ThreadRef.self, from: event.data))?.threadId
            }
        } else if event.event.hasPrefix("response.created") || event.event == "response.in_progress"
                    || event.event == "response.completed" || event.event == "response.queued" {
            if let response = (try? WireJSON.decode(ResponseConversation.self, from: event.data))?.response {
                threadId = response.conversation?.id
                model = response.model
            }
        }
    }

    // MARK: Polled objects

    /// What a `GET …/runs/{id}` or `GET /responses/{id}` object (or the non-streamed creation
    /// answer) says about the run.
    public struct Polled: Sendable {
        public var runId: String
        /// Thread or conversation id; nil for a response without a conversation.
        public var threadId: String?
        public var status: String?
        /// Set when the object is terminal.
        public var outcome: RunOutcome?

        /// The thread to account the run under (the response's own id without a conversation).
        public var accountingThreadId: String { threadId ?? runId }
    }

    /// Reads a run or response object; nil when it is not one.
    public static func polled(_ body: [UInt8], surface: DropInUpstream.Surface) -> Polled? {
        let data = Data(body)
        switch surface {
        case .assistants:
            guard let run = try? WireJSON.decode(AssistantsWire.Run.self, from: data),
                  let ref = try? WireJSON.decode(ThreadRef.self, from: data) else { return nil }
            var interpreter = AssistantsStreamInterpreter()
            return Polled(runId: run.id, threadId: ref.threadId, status: run.status, outcome: interpreter.finish(fromPolled: run))
        case .responses:
            guard let response = try? WireJSON.decode(ResponsesWire.Response.self, from: data),
                  let ref = try? WireJSON.decode(ConversationRef.self, from: data) else { return nil }
            var interpreter = ResponsesStreamInterpreter()
            return Polled(runId: response.id, threadId: ref.conversation?.id, status: response.status,
                          outcome: interpreter.finish(fromPolled: response))
        }
    }

    // MARK: Wire shapes

    private struct ThreadRef: WireReadable {
        var id: String?
        var threadId: String?
        static let wireMembers = ["id", "thread_id"]
        init(wire: WireObject) throws(WireShapeError) {
            id = try wire.optionalString("id")
            threadId = try wire.optionalString("thread_id")
        }
    }

    /// `conversation` is an object `{"id": …}` (or, in requests, a bare id).
    struct Conversation {
        var id: String?

        /// Reads `value` as a bare id or an object with an `id`; anything else has no id.
        init(_ value: JSONValue?) throws(WireShapeError) {
            guard let value, !value.isNull else { id = nil; return }
            if let text = value.stringValue {
                id = text
            } else {
                id = try WireObject(value).optionalString("id")
            }
        }
    }

    private struct ConversationRef: WireReadable {
        var conversation: Conversation?
        var model: String?
        static let wireMembers = ["conversation", "model"]
        init(wire: WireObject) throws(WireShapeError) {
            do {
                conversation = try Conversation(wire["conversation"])
            } catch {
                throw error.under("conversation")
            }
            model = try wire.optionalString("model")
        }
    }

    private struct ResponseConversation: WireReadable {
        var response: ConversationRef
        static let wireMembers = ["response"]
        init(wire: WireObject) throws(WireShapeError) {
            response = try wire.object("response")
        }
    }
}
