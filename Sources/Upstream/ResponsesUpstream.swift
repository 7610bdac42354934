// The OpenAI Responses + Conversations upstream (contract §6): a thread is a conversation.
import Foundation
import Telemetry

/// Runs questions on the Responses API: `POST /conversations` (for a new thread), then
/// `POST /responses` with `conversation` and `stream: true`, relayed as it streams. `instructions` is
/// `INSTRUCTIONS`, the context lines and the client's additional instructions. `abandon()` closes the
/// stream, then polls `GET /responses/{id}` until it is terminal and returns its usage.
public final class ResponsesUpstream: AssistantUpstream {
    public let kind = "openai"
    let configuration: UpstreamConfiguration
    let client: UpstreamHTTPClient
    private let logger: Logger
    private let headers: [(String, String)]

    public init(configuration: UpstreamConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger.labelled("upstream.responses")
        self.client = UpstreamHTTPClient(configuration: configuration, logger: self.logger)
        self.headers = [("Authorization", "Bearer \(configuration.apiKey ?? "")")]
    }

    public func rateLimitSnapshot() -> [String: String] { client.rateLimits.snapshot() }

    public func startRun(_ request: RunRequest) async throws(UpstreamError) -> any UpstreamRun {
        guard let model = configuration.model, !model.isEmpty else {
            throw .badStatus(500, "OPENAI_MODEL is not configured")
        }
        let context = RunContext(request: request, instructions: configuration.instructions)
        let headers = self.headers + request.traceHeaders
        let conversationId: String
        let isNew: Bool
        if let existing = request.threadId {
            guard ThreadIdentifier.isWellFormed(existing) else { throw .threadNotFound("malformed conversation id") }
            conversationId = existing
            isNew = false
        } else {
            let created = try await client.json(
                try UpstreamHTTPClient.request("POST", "conversations", headers: headers, body: ConversationCreate(metadata: context.metadata)),
                call: .create, as: ResponsesWire.Conversation.self)
            guard ThreadIdentifier.isWellFormed(created.id) else { throw .malformed("the upstream created a conversation with an unusable id") }
            conversationId = created.id
            isNew = true
            logger.debug("upstream conversation created", [("thread_id", conversationId)])
        }
        let body = ResponseCreate(
            model: model,
            conversation: conversationId,
            input: [InputMessage(role: "user", content: request.query)],
            instructions: context.responsesInstructions,
            stream: true,
            metadata: context.metadata)
        let response = try await client.openEventStream(
            try UpstreamHTTPClient.request("POST", "responses", headers: headers, body: body),
            call: .responsesRun)
        return StreamingRun<ResponsesStreamInterpreter>(
            threadId: conversationId, isNewThread: isNew, response: response, control: control(), logger: logger)
    }

    private func control() -> RunControl<ResponsesWire.Response> {
        let client = self.client
        let headers = self.headers
        return RunControl(
            closeStreamToStop: true,
            requestCancel: { _ throws(UpstreamError) in
                // A foreground response cannot be cancelled by request; closing the stream stops it.
            },
            fetch: { responseId throws(UpstreamError) in
                try await client.json(
                    try UpstreamHTTPClient.request("GET", "responses/\(responseId)", headers: headers, body: ConversationCreate?.none),
                    call: .other, as: ResponsesWire.Response.self)
            },
            abandonTimeout: configuration.abandonTimeout,
            pollInterval: configuration.pollInterval)
    }

    // MARK: Request bodies

    struct ConversationCreate: Encodable {
        var metadata: [String: String]
    }

    struct InputMessage: Encodable {
        var role: String
        var content: String
    }

    struct ResponseCreate: Encodable {
        var model: String
        var conversation: String
        var input: [InputMessage]
        var instructions: String?
        var stream: Bool
        var metadata: [String: String]
    }
}
