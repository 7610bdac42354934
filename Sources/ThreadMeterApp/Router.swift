// Maps method + path to a route; unknown paths are 404, known paths with another method 405 + Allow.
import HTTPServer
import HTTPWire

/// The service's routes, matched by path segments.
enum Route: Sendable, Equatable {
    case query
    case health
    case stats
    case statsThread(String)
    case statsUsage
    case metrics
    case dashboard

    /// Label for metrics and logs: the route template, never an id.
    var template: String {
        switch self {
        case .query: "/v1/query"
        case .health: "/health"
        case .stats: "/stats"
        case .statsThread: "/stats/threads/{id}"
        case .statsUsage: "/stats/usage"
        case .metrics: "/metrics"
        case .dashboard: "/dashboard"
        }
    }

    /// Methods the route answers (HEAD is implied by GET).
    var allowedMethods: [String] {
        switch self {
        case .query: ["POST"]
        default: ["GET", "HEAD"]
        }
    }

    /// Matches a path; nil when nothing is there.
    static func match(path: String) -> Route? {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        switch trimmed {
        case "/v1/query": return .query
        case "/health": return .health
        case "/stats": return .stats
        case "/stats/usage": return .statsUsage
        case "/metrics": return .metrics
        case "/dashboard": return .dashboard
        default:
            let prefix = "/stats/threads/"
            if trimmed.hasPrefix(prefix) {
                let id = trimmed.dropFirst(prefix.count)
                if !id.isEmpty && !id.contains("/") { return .statsThread(String(id)) }
            }
            return nil
        }
    }
}

/// What `Router.resolve` found.
enum RouteResolution: Equatable {
    case route(Route)
    case notFound
    case methodNotAllowed([String])
}

enum Router {
    static func resolve(method: String, path: String) -> RouteResolution {
        guard let route = Route.match(path: path) else { return .notFound }
        guard route.allowedMethods.contains(method) else { return .methodNotAllowed(route.allowedMethods) }
        return .route(route)
    }
}
