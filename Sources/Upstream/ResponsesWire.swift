// The JSON shapes of the Responses + Conversations API that ThreadMeter reads (contract §6).
import Foundation
import Metering

/// Decodable views of Responses API objects; fields the service does not use are left out.
enum ResponsesWire {
    /// `response.usage`.
    struct Usage: Decodable {
        struct InputDetails: Decodable {
            var cachedTokens: Int?
            enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
        }

        struct OutputDetails: Decodable {
            var reasoningTokens: Int?
            enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
        }

        var inputTokens: Int
        var outputTokens: Int
        var totalTokens: Int?
        var inputTokensDetails: InputDetails?
        var outputTokensDetails: OutputDetails?

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens", outputTokens = "output_tokens", totalTokens = "total_tokens"
            case inputTokensDetails = "input_tokens_details", outputTokensDetails = "output_tokens_details"
        }

        /// With this upstream the cached and reasoning parts are always carried (0 when absent).
        var tokenUsage: TokenUsage {
            TokenUsage(
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                cachedInputTokens: inputTokensDetails?.cachedTokens ?? 0,
                reasoningTokens: outputTokensDetails?.reasoningTokens ?? 0
            )
        }
    }

    /// A `response` object (inside events and from `GET /responses/{id}`).
    struct Response: Decodable {
        var id: String
        var status: String?
        var model: String?
        var usage: Usage?
        var error: WireErrorDetail?
        var incompleteDetails: IncompleteDetails?

        enum CodingKeys: String, CodingKey {
            case id, status, model, usage, error, incompleteDetails = "incomplete_details"
        }

        /// The terminal status this object reports, if it is terminal.
        var terminalStatus: RunStatus? {
            RunStatus(upstream: status, terminal: [.completed, .failed, .incomplete, .cancelled])
        }

        /// Why the response did not complete, as the upstream put it.
        var failureMessage: String {
            error?.text ?? incompleteDetails?.reason.map { "incomplete: \($0)" } ?? "response ended with status \(status ?? "unknown")"
        }
    }

    /// The `type` every Responses stream event's `data` carries.
    struct EventType: Decodable {
        var type: String?
    }

    /// `response.output_text.delta`.
    struct TextDelta: Decodable {
        var delta: String
    }

    /// `response.created`, `response.completed`, … : events carrying the response object.
    struct ResponseEvent: Decodable {
        var response: Response
    }

    /// An `error` event: `{"type":"error","code":…,"message":…}` (or with a nested `error`).
    struct ErrorEvent: Decodable {
        var code: String?
        var message: String?
        var error: WireErrorDetail?

        var text: String {
            let message = error?.message ?? message ?? "no message"
            return (error?.code ?? code).map { "\($0): \(message)" } ?? message
        }
    }
}
