// Client-facing errors: one JSON shape `{"error":{"code","message"}}` and a status.
import HTTPServer
import HTTPWire

/// An error answered before a response starts.
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var headers: HTTPHeaders = HTTPHeaders()
    /// Extra top-level fields after `error` (e.g. `thread_id`, `token_usage` for a failed run).
    public var extra: [(String, JSONValue)] = []

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(status: 400, code: "invalid_request", message: message) }
    public static let unauthorized = APIError(status: 401, code: "unauthorized", message: "missing or invalid bearer token")
    public static func notFound(_ message: String) -> APIError { APIError(status: 404, code: "not_found", message: message) }
    public static func unsupportedMediaType(_ message: String) -> APIError { APIError(status: 415, code: "unsupported_media_type", message: message) }
    public static let shuttingDown = APIError(status: 503, code: "shutting_down", message: "the service is shutting down")

    public static func methodNotAllowed(_ allowed: [String]) -> APIError {
        var error = APIError(status: 405, code: "method_not_allowed", message: "method not allowed; allowed: \(allowed.joined(separator: ", "))")
        error.headers.add(name: "Allow", value: allowed.joined(separator: ", "))
        return error
    }

    public var body: JSONValue {
        .object([("error", .object([("code", .string(code)), ("message", .string(message))]))] + extra)
    }

    public var response: HTTPResponse {
        var headers = self.headers
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(body.bytes))
    }
}

extension HTTPResponse {
    /// A JSON response.
    static func json(_ value: JSONValue, status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(value.bytes))
    }
}
