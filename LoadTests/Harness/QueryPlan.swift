// The HTTP exchanges one query takes, per target, and the request bytes for each.

/// One HTTP exchange of a query.
enum Exchange: Equatable {
    /// ThreadMeter: `POST /v1/query`, answered with an SSE stream.
    case query
    /// Assistants: `POST /threads`.
    case createThread
    /// Assistants: `POST /threads/{id}/messages`.
    case addMessage
    /// Assistants: `POST /threads/{id}/runs` with `stream: true`.
    case runStream
    /// Responses: `POST /conversations`.
    case createConversation
    /// Responses: `POST /responses` with `stream: true`.
    case responseStream

    /// Whether the response is the query's event stream.
    var isStream: Bool { self == .query || self == .runStream || self == .responseStream }

    /// The exchanges of one query on `target`, for a new or a continued thread.
    static func plan(target: LoadTarget, newThread: Bool) -> [Exchange] {
        switch target {
        case .threadmeter: [.query]
        case .assistants: newThread ? [.createThread, .addMessage, .runStream] : [.addMessage, .runStream]
        case .responses: newThread ? [.createConversation, .responseStream] : [.responseStream]
        }
    }
}

/// Builds request bytes; one per worker, reused.
struct RequestBuilder {
    let options: HarnessOptions

    private static let stages = ["Awareness", "Interest", "Consideration", "Evaluation", "Decision"]
    private static let questions = [
        "What does the enterprise plan cost for 50 seats?",
        "How does the product compare with the incumbent on security?",
        "Summarise the objections this account raised last quarter.",
        "Draft a follow-up email after the demo.",
        "Which integrations matter most for this customer?",
    ]

    /// The question text of a client's query (varied so answers and token counts vary).
    func questionText(client: Int, sequence: Int) -> String {
        "\(Self.questions[(client + sequence) % Self.questions.count]) (client \(client), query \(sequence))"
    }

    func request(_ exchange: Exchange, client: Int, sequence: Int, threadId: String?) -> [UInt8] {
        let base = options.basePath
        let question = ReportJSON.string(questionText(client: client, sequence: sequence))
        var headers: [(String, String)] = [("Host", options.hostHeader), ("Content-Type", "application/json")]
        let path: String
        let body: String
        switch exchange {
        case .query:
            path = base + "/v1/query"
            var fields = ["\"query\":\(question)"]
            if let threadId { fields.append("\"threadId\":\(ReportJSON.string(threadId))") }
            fields.append("\"accountName\":\(ReportJSON.string("Account \(client)"))")
            fields.append("\"demand_stage\":\(ReportJSON.string(Self.stages[client % Self.stages.count]))")
            body = "{" + fields.joined(separator: ",") + "}"
            headers.append(("Accept", "text/event-stream"))
            if let key = options.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        case .createThread:
            path = base + "/threads"
            body = "{}"
        case .addMessage:
            path = base + "/threads/\(threadId ?? "missing")/messages"
            body = "{\"role\":\"user\",\"content\":\(question)}"
        case .runStream:
            path = base + "/threads/\(threadId ?? "missing")/runs"
            body = "{\"assistant_id\":\(ReportJSON.string(options.assistantId)),\"stream\":true,\"metadata\":{\"client\":\"\(client)\"}}"
            headers.append(("Accept", "text/event-stream"))
        case .createConversation:
            path = base + "/conversations"
            body = "{\"metadata\":{\"client\":\"\(client)\"}}"
        case .responseStream:
            path = base + "/responses"
            body = "{\"model\":\(ReportJSON.string(options.model)),\"conversation\":\(ReportJSON.string(threadId ?? "missing")),"
                + "\"input\":[{\"role\":\"user\",\"content\":\(question)}],\"stream\":true}"
            headers.append(("Accept", "text/event-stream"))
        }
        if exchange != .query {
            headers.append(("Authorization", "Bearer \(options.upstreamKey)"))
            if options.target == .assistants { headers.append(("OpenAI-Beta", "assistants=v2")) }
        }
        let bodyBytes = Array(body.utf8)
        var head = "POST \(path) HTTP/1.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(bodyBytes.count)\r\n\r\n"
        return Array(head.utf8) + bodyBytes
    }
}
