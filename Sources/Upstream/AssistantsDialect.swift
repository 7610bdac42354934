// The OpenAI Assistants API v2 (contract §5): threads, messages, streamed runs, cancel.

/// Assistants API v2 calls: `POST /threads` (for a new thread), `POST /threads/{id}/messages`, then
/// `POST /threads/{id}/runs` with `stream: true`. The client's demand stage, account and additional
/// instructions reach the run as `additional_instructions` and `metadata`. A run is stopped with
/// `POST …/runs/{id}/cancel` and polled with `GET …/runs/{id}`.
struct AssistantsDialect: UpstreamDialect {
    typealias Interpreter = AssistantsStreamInterpreter

    static let logLabel = "upstream.assistants"
    static let threadNoun = "thread"
    static let stopsByClosingStream = false

    let configuration: UpstreamConfiguration
    let client: UpstreamHTTPClient
    private let headers: [(String, String)]

    init(configuration: UpstreamConfiguration, client: UpstreamHTTPClient) {
        self.configuration = configuration
        self.client = client
        self.headers = [
            ("Authorization", "Bearer \(configuration.apiKey ?? "")"),
            ("OpenAI-Beta", "assistants=v2"),
        ]
    }

    func checkConfiguration() throws(UpstreamError) {
        guard let assistantId = configuration.assistantId, !assistantId.isEmpty else {
            throw .badStatus(500, "ASSISTANT_ID is not configured")
        }
    }

    func createThread(_ context: RunContext) async throws(UpstreamError) -> String {
        try await client.json(
            try UpstreamHTTPClient.request("POST", "threads", headers: headers, body: AssistantsWire.ThreadCreate(metadata: context.metadata)),
            call: .create, as: AssistantsWire.Thread.self
        ).id
    }

    func openRunStream(threadId: String, context: RunContext) async throws(UpstreamError) -> UpstreamHTTPResponse {
        _ = try await client.json(
            try UpstreamHTTPClient.request("POST", "threads/\(threadId)/messages", headers: headers,
                                           body: AssistantsWire.MessageCreate(role: "user", content: context.request.query)),
            call: .assistantsThread, as: IgnoredReply.self)
        let body = AssistantsWire.RunCreate(
            assistantId: configuration.assistantId ?? "",
            stream: true,
            additionalInstructions: context.additionalInstructions,
            metadata: context.metadata)
        return try await client.openEventStream(
            try UpstreamHTTPClient.request("POST", "threads/\(threadId)/runs", headers: headers, body: body),
            call: .assistantsThread)
    }

    func cancelRun(_ runId: String, threadId: String) async throws(UpstreamError) {
        _ = try await client.json(
            try UpstreamHTTPClient.request("POST", "threads/\(threadId)/runs/\(runId)/cancel", headers: headers, body: EmptyBody()),
            call: .other, as: IgnoredReply.self)
    }

    func fetchRun(_ runId: String, threadId: String) async throws(UpstreamError) -> AssistantsWire.Run {
        try await client.json(
            try UpstreamHTTPClient.request("GET", "threads/\(threadId)/runs/\(runId)", headers: headers, body: EmptyBody?.none),
            call: .other, as: AssistantsWire.Run.self)
    }
}
