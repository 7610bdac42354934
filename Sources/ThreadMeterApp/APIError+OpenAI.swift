// The error shape of the drop-in OpenAI surfaces (contract §8): `{"error":{"message","type","param","code"}}`.
import HTTPServer
import HTTPWire
import JSONText

extension APIError {
    /// The OpenAI error `type` for this error's status, as the official SDKs expect it.
    var openAIType: String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 429: "rate_limit_error"
        case 500...: "server_error"
        default: "invalid_request_error"
        }
    }

    /// The body in the OpenAI shape (extra top-level members kept, e.g. a budget).
    var openAIBody: JSONValue {
        .object([("error", .object([
            ("message", .string(message)), ("type", .string(openAIType)), ("param", .null), ("code", .string(code.rawValue)),
        ]))] + extra)
    }

    /// The response in the OpenAI shape, with this error's headers.
    var openAIResponse: HTTPResponse {
        var headers = self.headers
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(openAIBody.bytes))
    }
}
