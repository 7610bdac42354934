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

    /// The body in the OpenAI shape: `param` from `errorFields` (else null), the other error fields
    /// (e.g. a budget) after `code`, extra top-level members kept.
    var openAIBody: JSONValue {
        let param = errorFields.first { $0.0 == "param" }?.1 ?? .null
        let others = errorFields.filter { $0.0 != "param" }
        return .object([("error", .object([
            ("message", .string(message)), ("type", .string(openAIType)), ("param", param), ("code", .string(code.rawValue)),
        ] + others))] + extra)
    }

    /// The response in the OpenAI shape, with this error's headers.
    var openAIResponse: HTTPResponse {
        var headers = self.headers
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(openAIBody.bytes))
    }
}
