// The JSON shapes of the Responses + Conversations API that ThreadMeter reads (contract §6).
import Foundation
import Metering

/// Views of Responses API objects; fields the service does not use are left out.
enum ResponsesWire {
    /// `response.usage`.
    struct Usage {
        struct InputDetails {
            var cachedTokens: Int?
        }

        struct OutputDetails {
            var reasoningTokens: Int?
        }

        var inputTokens: Int
        var outputTokens: Int
        var totalTokens: Int?
        var inputTokensDetails: InputDetails?
        var outputTokensDetails: OutputDetails?

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
    struct Response {
        var id: String
        var status: String?
        var model: String?
        var usage: Usage?
        var error: WireErrorDetail?
        var incompleteDetails: IncompleteDetails?

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
    struct EventType {
        var type: String?
    }

    /// `response.output_text.delta`.
    struct TextDelta {
        var delta: String
    }

    /// `response.created`, `response.completed`, … : events carrying the response object.
    struct ResponseEvent {
        var response: Response
    }

    /// An `error` event: `{"type":"error","code":…,"message":…}` (or with a nested `error`).
    struct ErrorEvent {
        var code: String?
        var message: String?
        var error: WireErrorDetail?

        var text: String {
            let message = error?.message ?? message ?? "no message"
            return (error?.code ?? code).map { "\($0): \(message)" } ?? message
        }
    }
}
