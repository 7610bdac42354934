// The JSON shapes of the Assistants API v2 that ThreadMeter reads (contract §5).
import Metering

/// Views of Assistants API objects; fields the service does not use are left out.
enum AssistantsWire {
    /// Run `usage`.
    struct Usage {
        var promptTokens: Int
        var completionTokens: Int
        var totalTokens: Int?

        var tokenUsage: TokenUsage { TokenUsage(inputTokens: promptTokens, outputTokens: completionTokens) }
    }

    /// A `thread.run` object (run events and `GET …/runs/{id}`).
    struct Run {
        var id: String
        var status: String?
        var model: String?
        var usage: Usage?
        var lastError: WireErrorDetail?
        var incompleteDetails: IncompleteDetails?

        /// The terminal status this object reports, if it is terminal.
        var terminalStatus: RunStatus? {
            RunStatus(upstream: status, terminal: [.completed, .failed, .incomplete, .cancelled, .expired])
        }

        /// Why the run did not complete, as the upstream put it.
        var failureMessage: String {
            lastError?.text ?? incompleteDetails?.reason ?? "run ended with status \(status ?? "unknown")"
        }
    }

    /// A `thread.run.step` object.
    struct RunStep {
        var id: String?
        var usage: Usage?
    }

    /// A `thread.message.delta` object.
    struct MessageDelta {
        struct Delta {
            var content: [Content]?
        }

        struct Content {
            struct Text {
                var value: String?
            }

            var type: String?
            var text: Text?
        }

        var delta: Delta

        /// The text of every text content part, concatenated.
        var text: String {
            (delta.content ?? []).compactMap { $0.type == nil || $0.type == "text" ? $0.text?.value : nil }.joined()
        }
    }
}
