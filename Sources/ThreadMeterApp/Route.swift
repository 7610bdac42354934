// One line of the route table: method, path template, auth policy, handler.
import HTTPServer

/// A route: the unit a new endpoint adds, one line in `ThreadMeterService.routeTable`.
struct Route: Sendable {
    let method: String
    let pattern: RoutePattern
    let auth: AuthPolicy
    /// Refused with 503 once shutdown began (work that would outlive the grace period).
    let refusedWhileDraining: Bool
    let handler: RouteHandler

    init(_ method: String, _ template: String, auth: AuthPolicy = .none, refusedWhileDraining: Bool = false,
         _ handler: @escaping RouteHandler) {
        self.method = method
        self.pattern = RoutePattern(template)
        self.auth = auth
        self.refusedWhileDraining = refusedWhileDraining
        self.handler = handler
    }

    /// Methods the route answers: a GET route answers HEAD too.
    var methods: [String] { method == "GET" ? ["GET", "HEAD"] : [method] }
}
