// Budgets shared by every replica: rows in PostgreSQL, use summed from the shared ledger.
import Metering

extension PostgresMeteringBackend {
    public func putBudget(_ budget: Budget) async throws {
        _ = try await store.pool.query(PostgresBudgetQueries.put, [
            budget.scope.rawValue, budget.key, budget.window.rawValue,
            budget.maxTokens.map { "\($0)" }, budget.maxUSD.map { "\($0)" }, "\(budget.warnAt)",
        ])
    }

    public func deleteBudget(scope: BudgetScope, key: String) async throws -> Bool {
        !(try await store.pool.query(PostgresBudgetQueries.delete, [scope.rawValue, key])).isEmpty
    }

    public func allBudgets() async throws -> [Budget] {
        try await store.pool.query(PostgresBudgetQueries.all, []).all.compactMap(PostgresBudgetQueries.budget).sorted(by: Budget.storeOrder)
    }

    public func candidateBudgets(threadId: String?, account: String?) async throws -> [Budget] {
        try await store.pool.query(PostgresBudgetQueries.candidates, [threadId, account]).all
            .compactMap(PostgresBudgetQueries.budget).sorted(by: Budget.storeOrder)
    }

    /// Every sum in one read-only snapshot (one connection, `REPEATABLE READ`). Rows still in this
    /// replica's spool (the store was unreachable) are not in them until written.
    public func budgetUse(_ queries: [BudgetUseQuery]) async throws -> [BudgetUse] {
        guard !queries.isEmpty else { return [] }
        let steps: [PGStep] = [.simple("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")]
            + queries.map { .prepared(PostgresBudgetQueries.use($0.runs), ["\($0.since ?? -Double.greatestFiniteMagnitude)", PostgresBudgetQueries.key($0.runs)]) }
            + [.simple("COMMIT")]
        let results = try await store.pool.execute(steps)
        return queries.indices.map { i in
            guard i + 1 < results.count, let row = results[i + 1].first else { return .zero }
            return BudgetUse(tokens: row.int(0) ?? 0, usd: row.double(1) ?? 0, unpricedRuns: row.int(2) ?? 0)
        }
    }

    /// The database's clock: `recorded_at` comes from it.
    public func budgetClockNow() async throws -> Double {
        guard let now = try await store.pool.query(PostgresBudgetQueries.now, []).first?.double(0) else {
            throw PostgresError(.server, "reading the database clock returned no row")
        }
        return now
    }
}
