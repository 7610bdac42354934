// PUT/GET/DELETE /admin/budgets/… (contract §9): managing budgets, listing them with their use.
import HTTPServer
import JSONText
import Metering

/// The admin API of budgets (`.admin` routes). Bad input is a 400 naming the field.
struct BudgetAdminHandlers: Sendable {
    let book: BudgetBook
    let store: any BudgetStore

    /// `GET /admin/budgets` → `{"budgets":[…]}`, each with its use in its current window.
    func list() async -> HTTPResponse {
        do {
            let standings = try await book.listing().standings
            return .json(.object([("budgets", .array(standings.map { $0.json() }))]))
        } catch {
            return OperatorHandlers.storageUnavailable(error)
        }
    }

    /// `GET /admin/budgets/{scope}/{key}` → the budget object, or 404.
    func get(_ parameters: [String: String]) async -> HTTPResponse {
        await addressed(parameters) { scope, key in
            guard let found = try await book.standing(scope: scope, key: key) else { return Self.notFound(scope, key) }
            return .json(found.standing.json())
        }
    }

    /// `PUT /admin/budgets/{scope}/{key}` with `{"max_tokens","max_usd","window","warn_at"}`:
    /// creates or replaces (never merges); 200 with the budget object.
    func put(_ request: RouteRequest) async -> HTTPResponse {
        let budget: Budget
        do {
            let (scope, key) = try Self.address(request.parameters)
            budget = try BudgetInput.budget(scope: scope, key: key, body: request.http.body)
        } catch {
            return error.response
        }
        do {
            try await store.putBudget(budget)
            guard let found = try await book.standing(scope: budget.scope, key: budget.key) else {
                return Self.notFound(budget.scope, budget.key)
            }
            return .json(found.standing.json())
        } catch {
            return OperatorHandlers.storageUnavailable(error)
        }
    }

    /// `DELETE /admin/budgets/{scope}/{key}` → 204, or 404.
    func delete(_ parameters: [String: String]) async -> HTTPResponse {
        await addressed(parameters) { scope, key in
            try await store.deleteBudget(scope: scope, key: key) ? HTTPResponse(status: 204) : Self.notFound(scope, key)
        }
    }

    /// Validates the path's scope and key (a 400 naming the field), then answers with `body`; a
    /// store that cannot be read or written is a 503.
    private func addressed(_ parameters: [String: String],
                           _ body: (BudgetScope, String) async throws -> HTTPResponse) async -> HTTPResponse {
        let scope: BudgetScope
        let key: String
        do {
            (scope, key) = try Self.address(parameters)
        } catch {
            return error.response
        }
        do {
            return try await body(scope, key)
        } catch {
            return OperatorHandlers.storageUnavailable(error)
        }
    }

    /// Scope and key of the path, validated (400 naming `scope` or `key`).
    private static func address(_ parameters: [String: String]) throws(APIError) -> (BudgetScope, String) {
        let scope = try BudgetInput.scope(parameters["scope"] ?? "")
        return (scope, try BudgetInput.key(parameters["key"] ?? "", scope: scope))
    }

    private static func notFound(_ scope: BudgetScope, _ key: String) -> HTTPResponse {
        APIError.notFound("no \(scope.rawValue) budget '\(key)'").response
    }
}
