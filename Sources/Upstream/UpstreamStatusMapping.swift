// What a non-2xx upstream answer means for the client (contract §1 "Errors before a response starts").
import Foundation

/// Maps an upstream HTTP failure status to an `UpstreamError`.
enum UpstreamStatusMapping {
    /// Which call failed, for the 404/400 rules.
    enum Call {
        /// Thread creation (`POST /threads`, `POST /conversations`): a 404 there is not about a thread.
        case create
        /// A call on an existing Assistants thread (`/threads/{id}/…`).
        case assistantsThread
        /// `POST /responses` with a `conversation`.
        case responsesRun
        /// Anything else (cancel, polling).
        case other
    }

    static func error(status: Int, headers: [String: String], body: Data, call: Call) -> UpstreamError {
        let message = describe(body: body)
        let lowered = message.lowercased()
        switch status {
        case 401, 403:
            return .unauthorized("HTTP \(status): \(message)")
        case 429:
            return .rateLimited(retryAfter: headers["retry-after"], message: message)
        case 404 where call == .assistantsThread && !lowered.contains("assistant"):
            return .threadNotFound(message)
        case 404 where call == .responsesRun && !lowered.contains("model"):
            return .threadNotFound(message)
        case 400 where call == .responsesRun && (lowered.contains("conversation") || errorParam(body) == "conversation"):
            return .threadNotFound(message)
        default:
            return .badStatus(status, message)
        }
    }

    /// The upstream's `error.message` when the body is an OpenAI error, else the start of the body.
    static func describe(body: Data) -> String {
        if let parsed = try? WireJSON.decode(UpstreamErrorBody.self, from: body),
           parsed.error?.message != nil || parsed.message != nil {
            return parsed.text
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "empty body" : text
    }

    private static func errorParam(_ body: Data) -> String? {
        (try? WireJSON.decode(UpstreamErrorBody.self, from: body))?.error?.param
    }
}
