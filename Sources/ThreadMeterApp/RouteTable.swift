// Finds the route for a method and raw path: most specific template wins, 405 lists what the path allows
// (404 on the drop-in surfaces, where an unlisted method is an unlisted upstream route).

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
    /// Routes whose template is all literal, by template: a path written exactly so resolves with one
    /// lookup (`/health` is polled often). With each, the methods a catch-all route takes from it
    /// (the most specific template wins, and a longer catch-all counts as more specific).
    private let literalRoutes: [String: [(index: Int, shadowedMethods: [String])]]

    init(_ routes: [Route], guardedAreas: [(String, AuthPolicy)] = []) {
        self.routes = routes
        self.guardedAreas = guardedAreas.map { (RoutePattern($0.0), $0.1) }
        var literal: [String: [(index: Int, shadowedMethods: [String])]] = [:]
        for (index, route) in routes.enumerated() where route.pattern.segments.allSatisfy({ if case .literal = $0 { true } else { false } }) {
            let parts = RoutePattern.split(route.pattern.description)
            let shadowed = routes.filter { $0.pattern.isCatchAll && $0.pattern.match(parts: parts) != nil }.flatMap(\.methods)
            literal[route.pattern.description, default: []].append((index, shadowed))
        }
        literalRoutes = literal
    }

    func resolve(method: String, rawPath: String) -> Resolution {
        if let candidates = literalRoutes[rawPath] {
            for candidate in candidates where routes[candidate.index].methods.contains(method) && !candidate.shadowedMethods.contains(method) {
                return .route(routes[candidate.index], parameters: [:])
            }
        }
        return resolveByPattern(method: method, rawPath: rawPath)
    }

    /// Every pattern against the path: the most specific match, else 405 with what the path allows, else 404.
    private func resolveByPattern(method: String, rawPath: String) -> Resolution {
        var best: (route: Route, parameters: [String: String])?
        var allowed: [String] = []
        let parts = RoutePattern.split(rawPath)
        for route in routes {
            guard let parameters = route.pattern.match(parts: parts) else { continue }
            // A catch-all (`/v1/*` for preflights) answers its method but does not make every path
            // below it exist: an unknown path stays 404, and `Allow` lists what the path itself serves.
            // The drop-in surfaces (contract §8) mirror the upstream's API, where the method is part of
            // the route: an unlisted method there is an unlisted upstream route, 404, not 405.
            if !route.pattern.isCatchAll && route.auth != .clientKeyRequired {
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
