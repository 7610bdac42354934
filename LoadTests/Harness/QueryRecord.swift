// What one query saw: event times, ids, usage figures, and any breach of the event contract.
import JSONText
import HTTPWire

/// The terminal event of a stream.
enum StreamTerminal: Equatable {
    case complete
    case error(code: String)
}

/// One query from start to end, fed with the stream's events.
struct QueryRecord {
    var sequence: Int
    var startNanos: UInt64
    /// The thread the query continued (nil: it asked for a new one).
    var requestedThreadId: String?
    var threadInfoAt: UInt64?
    var firstContentAt: UInt64?
    var terminalAt: UInt64?
    var threadId: String?
    var newThread: Bool?
    /// `thread_info.token_usage`: the thread's usage before this run.
    var usageBefore: UsageFigures?
    var runUsage: UsageFigures?
    /// `stream_complete.token_usage` or `error.token_usage`: the thread's usage after this run.
    var usageAfter: UsageFigures?
    var terminal: StreamTerminal?
    var terminalDetail: String?
    var contentEvents = 0
    var keepAliveComments = 0
    /// Breaches of the event contract (kind, detail); any makes the query fail.
    var violations: [(kind: String, detail: String)] = []

    init(sequence: Int, startNanos: UInt64, requestedThreadId: String?) {
        self.sequence = sequence
        self.startNanos = startNanos
        self.requestedThreadId = requestedThreadId
    }

    private mutating func violation(_ kind: String, _ detail: String) {
        if violations.count < 4 { violations.append((kind, detail)) }
    }

    private func parse(_ event: SSEEvent) -> JSONValue? {
        try? JSONReader.read(event.data)
    }

    // MARK: ThreadMeter events (contract §1)

    /// Checks and records one event of a `POST /v1/query` stream.
    mutating func observeServiceEvent(_ event: SSEEvent, now: UInt64) {
        if terminal != nil {
            violation("protocol: event after terminal", "event \(event.event) after \(terminalName)")
            return
        }
        if event.event == "content" {
            if threadInfoAt == nil { violation("protocol: content before thread_info", snippet(event)) }
            // The full parse is part of checking the stream: every event must be one-line JSON.
            guard let json = parse(event), json["type"]?.stringValue == "content", json["content"]?.stringValue != nil else {
                violation("protocol: malformed content event", snippet(event))
                return
            }
            contentEvents += 1
            if firstContentAt == nil { firstContentAt = now }
            return
        }
        guard let json = parse(event) else {
            violation("protocol: event data is not JSON", snippet(event))
            return
        }
        if json["type"]?.stringValue != event.event {
            violation("protocol: type differs from event name", snippet(event))
        }
        switch event.event {
        case "thread_info":
            guard threadInfoAt == nil else { violation("protocol: duplicate thread_info", snippet(event)); return }
            threadInfoAt = now
            guard let id = json["thread_id"]?.stringValue, !id.isEmpty, let isNew = json["new_thread"]?.boolValue,
                  let before = UsageFigures(json: json["token_usage"]) else {
                violation("protocol: malformed thread_info", snippet(event))
                return
            }
            threadId = id
            newThread = isNew
            usageBefore = before
            if let requested = requestedThreadId {
                if id != requested { violation("protocol: thread_info names another thread", "asked \(requested), got \(id)") }
                if isNew { violation("protocol: continued thread reported as new", id) }
            } else {
                if !isNew { violation("protocol: new thread not reported as new", id) }
                if before != .zero { violation("accounting: new thread starts with usage", before.description) }
            }
            if !before.isConsistent { violation("accounting: inconsistent token_usage", before.description) }
        case "stream_complete":
            terminalAt = now
            terminal = .complete
            if threadInfoAt == nil { violation("protocol: stream_complete before thread_info", snippet(event)) }
            guard let run = UsageFigures(json: json["run_usage"]), let after = UsageFigures(json: json["token_usage"]) else {
                violation("protocol: malformed stream_complete", snippet(event))
                return
            }
            runUsage = run
            usageAfter = after
            if let id = json["thread_id"]?.stringValue, let threadId, id != threadId {
                violation("protocol: stream_complete names another thread", "\(threadId) vs \(id)")
            }
            if json["run_id"]?.stringValue?.isEmpty ?? true { violation("protocol: stream_complete without run_id", snippet(event)) }
            if !run.isConsistent { violation("accounting: inconsistent run_usage", run.description) }
        case "error":
            terminalAt = now
            let code = json["error"]?["code"]?.stringValue ?? "missing_code"
            terminal = .error(code: code)
            terminalDetail = json["error"]?["message"]?.stringValue
            usageAfter = UsageFigures(json: json["token_usage"])
            if threadInfoAt != nil && usageAfter == nil {
                violation("protocol: error event without token_usage", snippet(event))
            }
        default:
            violation("protocol: unexpected event", event.event)
        }
    }

    // MARK: upstream events (direct targets, contract §5 and §6)

    /// Records one event of an Assistants or Responses run stream read directly from the upstream.
    mutating func observeUpstreamEvent(_ event: SSEEvent, now: UInt64, target: LoadTarget) {
        let name = event.event
        switch target {
        case .assistants:
            if name == "thread.message.delta" {
                contentEvents += 1
                if firstContentAt == nil { firstContentAt = now }
            } else if name == "thread.run.completed" {
                terminalAt = now
                terminal = .complete
                runUsage = UsageFigures(upstreamJSON: parse(event)?["usage"])
            } else if ["thread.run.failed", "thread.run.incomplete", "thread.run.cancelled", "thread.run.expired", "error"].contains(name) {
                terminalAt = now
                terminal = .error(code: name)
            }
        case .responses, .threadmeter:
            if name == "response.output_text.delta" {
                contentEvents += 1
                if firstContentAt == nil { firstContentAt = now }
            } else if name == "response.completed" {
                terminalAt = now
                terminal = .complete
                runUsage = UsageFigures(upstreamJSON: parse(event)?["response"]?["usage"])
            } else if ["response.failed", "response.incomplete", "error"].contains(name) {
                terminalAt = now
                terminal = .error(code: name)
            }
        }
    }

    private var terminalName: String {
        switch terminal {
        case .complete: "stream_complete"
        case .error: "error"
        case nil: "nothing"
        }
    }

    private func snippet(_ event: SSEEvent) -> String {
        "event \(event.event): " + String(event.data.prefix(200))
    }
}
