// Client-facing errors: one JSON shape `{"error":{"code","message"}}` and a status.
import HTTPServer
import HTTPWire
import JSONText

/// An error answered before a response starts.
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: ErrorCode
    public var message: String
    public var headers: HTTPHeaders = HTTPHeaders()
    /// Extra top-level fields after `error` (e.g. `thread_id`, `token_usage` for a failed run).
    public var extra: [(String, JSONValue)] = []
    /// Extra members of the `error` object after `code` and `message` (e.g. `param`, `budget`).
    public var errorFields: [(String, JSONValue)] = []

    /// An error with the code's usual status unless `status` says otherwise.
    public init(_ code: ErrorCode, _ message: String, status: Int? = nil) {
        self.status = status ?? code.status
        self.code = code
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.invalidRequest, message) }

    /// 400 naming the offending field in the message and in `error.param`.
    public static func badField(_ field: String, _ message: String) -> APIError {
        var error = APIError(.invalidRequest, "\(field): \(message)")
        error.errorFields = [("param", .string(field))]
        return error
    }
    public static let unauthorized = APIError(.unauthorized, "missing or invalid bearer token")
    public static let adminTokenRequired = APIError(
        .adminTokenRequired,
        "admin routes answer only loopback clients while ADMIN_TOKEN is unset; set ADMIN_TOKEN to reach them from this address")
    public static let apiKeysRequired = APIError(
        .unauthorized, "the OpenAI-compatible routes answer only when API_KEYS is set and the client presents one of them")
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func unsupportedMediaType(_ message: String) -> APIError { APIError(.unsupportedMediaType, message) }
    public static let shuttingDown = APIError(.shuttingDown, "the service is shutting down")

    public static func methodNotAllowed(_ allowed: [String]) -> APIError {
        var error = APIError(.methodNotAllowed, "method not allowed; allowed: \(allowed.joined(separator: ", "))")
        error.headers.add(name: "Allow", value: allowed.joined(separator: ", "))
        return error
    }

    public var body: JSONValue {
        .object([("error", .object([("code", .string(code.rawValue)), ("message", .string(message))] + errorFields))] + extra)
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
