// The route table: every endpoint of the service, one line each.

extension ThreadMeterService {
    /// Method, path template, auth policy, handler. A new endpoint is one line here plus its handler.
    static func routeTable(query: QueryHandler, operators: OperatorHandlers) -> RouteTable {
        RouteTable([
            Route("POST", "/v1/query", auth: .clientKey, refusedWhileDraining: true) { await query.handle($0) },
            Route("GET", "/health") { _ in await operators.health() },
            Route("GET", "/dashboard") { _ in operators.dashboard() },
            Route("GET", "/stats", auth: .admin) { await operators.stats($0.http) },
            Route("GET", "/stats/usage", auth: .admin) { await operators.usage($0.http) },
            Route("GET", "/stats/threads/{id}", auth: .admin) { await operators.thread($0.parameters["id"] ?? "") },
            Route("GET", "/metrics", auth: .admin) { _ in await operators.renderMetrics() },
        ], guardedAreas: [("/stats/*", .admin), ("/admin/*", .admin)])
    }
}
