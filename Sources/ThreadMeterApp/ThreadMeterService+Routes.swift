// The route table: every endpoint of the service, one line each.
import HTTPServer

extension ThreadMeterService {
    /// Method, path template, auth policy, handler. A new endpoint is one line here plus its handler.
    static func routeTable(query: QueryHandler, operators: OperatorHandlers, budgetAdmin budgets: BudgetAdminHandlers) -> RouteTable {
        RouteTable([
            Route("POST", "/v1/query", auth: .clientKey, refusedWhileDraining: true) { await query.handle($0) },
            Route("OPTIONS", "/v1/*") { _ in HTTPResponse(status: 204) },
            Route("GET", "/") { _ in operators.page(TryItPage.html) },
            Route("GET", "/health") { _ in await operators.health() },
            Route("GET", "/dashboard") { _ in operators.page(DashboardPage.html) },
            Route("GET", "/stats", auth: .admin) { await operators.stats($0.http) },
            Route("GET", "/stats/usage", auth: .admin) { await operators.usage($0.http) },
            Route("GET", "/stats/threads/{id}", auth: .admin) { await operators.thread($0.parameters["id"] ?? "") },
            Route("GET", "/metrics", auth: .admin) { _ in await operators.renderMetrics() },
            Route("GET", "/admin/budgets", auth: .admin) { _ in await budgets.list() },
            Route("GET", "/admin/budgets/{scope}/{key}", auth: .admin) { await budgets.get($0.parameters) },
            Route("PUT", "/admin/budgets/{scope}/{key}", auth: .admin) { await budgets.put($0) },
            Route("DELETE", "/admin/budgets/{scope}/{key}", auth: .admin) { await budgets.delete($0.parameters) },
        ], guardedAreas: [("/stats/*", .admin), ("/admin/*", .admin)])
    }
}
