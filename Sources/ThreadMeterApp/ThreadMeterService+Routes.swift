// The route table: every endpoint of the service, one line each.
import HTTPServer

extension ThreadMeterService {
    /// Method, path template, auth policy, handler. A new endpoint is one line here plus its handler.
    static func routeTable(query: QueryHandler, dropIn: DropInHandler, operators: OperatorHandlers, budgetAdmin budgets: BudgetAdminHandlers) -> RouteTable {
        RouteTable([
            Route("POST", "/v1/query", auth: .clientKey, refusedWhileDraining: true) { await query.handle($0) },
            Route("OPTIONS", "/v1/*") { _ in HTTPResponse(status: 204) },
            // Drop-in OpenAI surfaces (contract §8): Assistants…
            Route("POST", "/v1/threads", auth: .clientKeyRequired) { await dropIn.forward($0, .assistants, "threads") },
            Route("GET", "/v1/threads/{id}", auth: .clientKeyRequired) { await dropIn.forward($0, .assistants, "threads", "{id}") },
            Route("POST", "/v1/threads/{id}/messages", auth: .clientKeyRequired) { await dropIn.forward($0, .assistants, "threads", "{id}", "messages") },
            Route("GET", "/v1/threads/{id}/messages", auth: .clientKeyRequired) { await dropIn.forward($0, .assistants, "threads", "{id}", "messages") },
            Route("POST", "/v1/threads/{id}/runs", auth: .clientKeyRequired, refusedWhileDraining: true) { await dropIn.create($0, .assistants, "threads", "{id}", "runs") },
            Route("POST", "/v1/threads/runs", auth: .clientKeyRequired, refusedWhileDraining: true) { await dropIn.create($0, .assistants, "threads", "runs") },
            Route("GET", "/v1/threads/{id}/runs/{run_id}", auth: .clientKeyRequired) { await dropIn.read($0, .assistants, "threads", "{id}", "runs", "{run_id}") },
            Route("POST", "/v1/threads/{id}/runs/{run_id}/cancel", auth: .clientKeyRequired) { await dropIn.forward($0, .assistants, "threads", "{id}", "runs", "{run_id}", "cancel") },
            // …and Responses + Conversations.
            Route("POST", "/v1/conversations", auth: .clientKeyRequired) { await dropIn.forward($0, .responses, "conversations") },
            Route("GET", "/v1/conversations/{id}", auth: .clientKeyRequired) { await dropIn.forward($0, .responses, "conversations", "{id}") },
            Route("POST", "/v1/responses", auth: .clientKeyRequired, refusedWhileDraining: true) { await dropIn.create($0, .responses, "responses") },
            Route("GET", "/v1/responses/{id}", auth: .clientKeyRequired) { await dropIn.read($0, .responses, "responses", "{id}") },
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
