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
    static let protocolHeaders = [("OpenAI-Beta", "assistants=v2")]

    let calls: UpstreamCalls

    func checkConfiguration() throws(UpstreamError) {
        try require(calls.configuration.assistantId, named: "ASSISTANT_ID")
    }

    func createThread(_ context: RunContext) async throws(UpstreamError) -> String {
        try await createWithMetadata(at: "threads", context)
    }

    func openRunStream(threadId: String, context: RunContext) async throws(UpstreamError) -> UpstreamHTTPResponse {
        _ = try await calls.post("threads/\(threadId)/messages", RoleMessage(role: "user", content: context.request.query), call: .assistantsThread)
        let body = AssistantsWire.RunCreate(
            assistantId: calls.configuration.assistantId ?? "",
            stream: true,
            additionalInstructions: context.additionalInstructions,
            metadata: context.metadata)
        return try await calls.openEventStream("threads/\(threadId)/runs", body, call: .assistantsThread)
    }

    func cancelRun(_ runId: String, threadId: String) async throws(UpstreamError) {
        _ = try await calls.post("threads/\(threadId)/runs/\(runId)/cancel", EmptyBody(), call: .other)
    }

    func fetchRun(_ runId: String, threadId: String) async throws(UpstreamError) -> AssistantsWire.Run {
        try await calls.get("threads/\(threadId)/runs/\(runId)", call: .other, as: AssistantsWire.Run.self)
    }
}
