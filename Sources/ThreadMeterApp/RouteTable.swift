// Finds the route for a method and raw path: most specific template wins, 405 lists what the path allows.

/// The service's routes, plus the areas whose policy applies even to paths without a route (so an
/// unknown `/admin/...` path reveals nothing to a client the area would refuse).
struct RouteTable: Sendable {
    /// What `resolve` found.
    enum Resolution: Sendable {
        case route(Route, parameters: [String: String])
        case methodNotAllowed([String])
        /// No route; the policy of the guarded area the path lies in (`.none` outside any).
        case notFound(AuthPolicy)
    }

    let routes: [Route]
    let guardedAreas: [(pattern: RoutePattern, auth: AuthPolicy)]

    init(_ routes: [Route], guardedAreas: [(String, AuthPolicy)] = []) {
        self.routes = routes
        self.guardedAreas = guardedAreas.map { (RoutePattern($0.0), $0.1) }
    }

    func resolve(method: String, rawPath: String) -> Resolution {
        var best: (route: Route, parameters: [String: String])?
        var allowed: [String] = []
        let parts = RoutePattern.split(rawPath)
        for route in routes {
            guard let parameters = route.pattern.match(parts: parts) else { continue }
            // A catch-all (`/v1/*` for preflights) answers its method but does not make every path
            // below it exist: an unknown path stays 404, and `Allow` lists what the path itself serves.
            if !route.pattern.isCatchAll {
                for m in route.methods where !allowed.contains(m) { allowed.append(m) }
            }
            guard route.methods.contains(method) else { continue }
            if let current = best, !current.route.pattern.specificity.lexicographicallyPrecedes(route.pattern.specificity) {
                continue
            }
            best = (route, parameters)
        }
        if let best { return .route(best.route, parameters: best.parameters) }
        if !allowed.isEmpty { return .methodNotAllowed(allowed) }
        let area = guardedAreas.first { $0.pattern.match(parts: parts) != nil }
        return .notFound(area?.auth ?? .none)
    }
}
