// What a route handler gets, and the handler type.
import HTTPServer
import HTTPWire

/// What a route handler gets: the request, its context, the path parameters and the access-log line.
struct RouteRequest: Sendable {
    let http: HTTPRequest
    let context: RequestContext
    /// Path parameters by name, percent-decoded once (`/stats/threads/{id}` → `["id": …]`).
    let parameters: [String: String]
    /// The request's access-log line (handlers add the thread id).
    let log: AccessLogLine
}

/// Answers one routed request.
typealias RouteHandler = @Sendable (RouteRequest) async -> HTTPResponse
