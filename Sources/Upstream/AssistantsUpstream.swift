// The OpenAI Assistants API v2 upstream (contract §5): threads, messages, streamed runs, cancel.
import Foundation
import Telemetry

/// Runs questions on an Assistants API v2 server: `POST /threads` (for a new thread),
/// `POST /threads/{id}/messages`, then `POST /threads/{id}/runs` with `stream: true`, relayed as it
/// streams. The client's demand stage, account and additional instructions reach the run as
/// `additional_instructions` and `metadata`. `abandon()` cancels the run
/// (`POST …/runs/{id}/cancel`), reads on until it is terminal (or polls `GET …/runs/{id}`), and
/// returns the usage reported.
public final class AssistantsUpstream: AssistantUpstream {
    public let kind = "openai"
    let configuration: UpstreamConfiguration
    let client: UpstreamHTTPClient
    private let logger: Logger
    private let headers: [(String, String)]

    public init(configuration: UpstreamConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger.labelled("upstream.assistants")
        self.client = UpstreamHTTPClient(configuration: configuration, logger: self.logger)
        self.headers = [
            ("Authorization", "Bearer \(configuration.apiKey ?? "")"),
            ("OpenAI-Beta", "assistants=v2"),
        ]
    }

    public func rateLimitSnapshot() -> [String: String] { client.rateLimits.snapshot() }

    public func startRun(_ request: RunRequest) async throws(UpstreamError) -> any UpstreamRun {
        guard let assistantId = configuration.assistantId, !assistantId.isEmpty else {
            throw .badStatus(500, "ASSISTANT_ID is not configured")
        }
        let context = RunContext(request: request, instructions: nil)
        let headers = self.headers + request.traceHeaders
        let threadId: String
        let isNew: Bool
        if let existing = request.threadId {
            guard ThreadIdentifier.isWellFormed(existing) else { throw .threadNotFound("malformed thread id") }
            threadId = existing
            isNew = false
        } else {
            let created = try await client.json(
                try UpstreamHTTPClient.request("POST", "threads", headers: headers, body: ThreadCreate(metadata: context.metadata)),
                call: .create, as: AssistantsWire.Thread.self)
            guard ThreadIdentifier.isWellFormed(created.id) else { throw .malformed("the upstream created a thread with an unusable id") }
            threadId = created.id
            isNew = true
            logger.debug("upstream thread created", [("thread_id", threadId)])
        }
        _ = try await client.json(
            try UpstreamHTTPClient.request("POST", "threads/\(threadId)/messages", headers: headers,
                                           body: MessageCreate(role: "user", content: request.query)),
            call: .assistantsThread, as: IgnoredReply.self)
        let runBody = RunCreate(
            assistantId: assistantId,
            stream: true,
            additionalInstructions: context.additionalInstructions,
            metadata: context.metadata)
        let response = try await client.openEventStream(
            try UpstreamHTTPClient.request("POST", "threads/\(threadId)/runs", headers: headers, body: runBody),
            call: .assistantsThread)
        return StreamingRun<AssistantsStreamInterpreter>(
            threadId: threadId, isNewThread: isNew, response: response, control: control(threadId: threadId), logger: logger)
    }

    private func control(threadId: String) -> RunControl<AssistantsWire.Run> {
        let client = self.client
        let headers = self.headers
        return RunControl(
            closeStreamToStop: false,
            requestCancel: { runId throws(UpstreamError) in
                _ = try await client.json(
                    try UpstreamHTTPClient.request("POST", "threads/\(threadId)/runs/\(runId)/cancel", headers: headers, body: EmptyBody()),
                    call: .other, as: IgnoredReply.self)
            },
            fetch: { runId throws(UpstreamError) in
                try await client.json(
                    try UpstreamHTTPClient.request("GET", "threads/\(threadId)/runs/\(runId)", headers: headers, body: EmptyBody?.none),
                    call: .other, as: AssistantsWire.Run.self)
            },
            abandonTimeout: configuration.abandonTimeout,
            pollInterval: configuration.pollInterval)
    }

    // MARK: Request bodies

    struct ThreadCreate: Encodable {
        var metadata: [String: String]
    }

    struct MessageCreate: Encodable {
        var role: String
        var content: String
    }

    struct RunCreate: Encodable {
        var assistantId: String
        var stream: Bool
        var additionalInstructions: String?
        var metadata: [String: String]

        enum CodingKeys: String, CodingKey {
            case assistantId = "assistant_id", stream, additionalInstructions = "additional_instructions", metadata
        }
    }

    struct EmptyBody: Encodable {}
}
