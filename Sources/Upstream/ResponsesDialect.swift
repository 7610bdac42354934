// The OpenAI Responses + Conversations API (contract §6): a thread is a conversation.

/// Responses API calls: `POST /conversations` (for a new thread), then `POST /responses` with
/// `conversation` and `stream: true`. `instructions` is `INSTRUCTIONS`, the context lines and the
/// client's additional instructions. A foreground response cannot be cancelled by request: it is
/// stopped by closing its stream, then polled with `GET /responses/{id}`.
struct ResponsesDialect: UpstreamDialect {
    typealias Interpreter = ResponsesStreamInterpreter

    static let logLabel = "upstream.responses"
    static let threadNoun = "conversation"
    static let stopsByClosingStream = true

    let calls: UpstreamCalls

    func checkConfiguration() throws(UpstreamError) {
        try require(calls.configuration.model, named: "OPENAI_MODEL")
    }

    func createThread(_ context: RunContext) async throws(UpstreamError) -> String {
        try await createWithMetadata(at: "conversations", context)
    }

    func openRunStream(threadId: String, context: RunContext) async throws(UpstreamError) -> UpstreamHTTPResponse {
        let body = ResponsesWire.ResponseCreate(
            model: calls.configuration.model ?? "",
            conversation: threadId,
            input: [RoleMessage(role: "user", content: context.request.query)],
            instructions: context.responsesInstructions,
            stream: true,
            metadata: context.metadata)
        return try await calls.openEventStream("responses", body, call: .responsesRun)
    }

    func fetchRun(_ runId: String, threadId: String) async throws(UpstreamError) -> ResponsesWire.Response {
        try await calls.get("responses/\(runId)", call: .other, as: ResponsesWire.Response.self)
    }
}
