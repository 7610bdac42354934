// Budgets in the shared store: rows every replica reads, use summed from the shared ledger.
import Foundation
import Metering

extension PostgresUsageStore {
    /// Creates or replaces the budget of its scope and key.
    public func putBudget(_ budget: Budget) async throws(PostgresError) {
        _ = try await pool.query(PostgresBudgetQueries.put, [
            budget.scope.rawValue, budget.key, budget.window.rawValue,
            budget.maxTokens.map { "\($0)" }, budget.maxUSD.map { "\($0)" }, "\(budget.warnAt)",
        ])
    }

    /// Deletes a budget; false when there was none.
    public func deleteBudget(scope: BudgetScope, key: String) async throws(PostgresError) -> Bool {
        !(try await pool.query(PostgresBudgetQueries.delete, [scope.rawValue, key])).isEmpty
    }

    /// Every budget, ordered by scope (thread, account, global) then key.
    public func allBudgets() async throws(PostgresError) -> [Budget] {
        try await pool.query(PostgresBudgetQueries.all, []).all.compactMap(PostgresBudgetQueries.budget).sorted(by: Budget.storeOrder)
    }

    /// The budgets that may apply to a run (see `BudgetStore.candidateBudgets`).
    public func candidateBudgets(threadId: String?, account: String?) async throws(PostgresError) -> [Budget] {
        try await pool.query(PostgresBudgetQueries.candidates, [threadId, account]).all
            .compactMap(PostgresBudgetQueries.budget).sorted(by: Budget.storeOrder)
    }

    /// Every sum in one read-only snapshot (one connection, `REPEATABLE READ`). Global and account
    /// sums of day-aligned windows read the trigger-kept daily sums; the rest read the ledger rows.
    public func budgetUse(_ queries: [BudgetUseQuery]) async throws(PostgresError) -> [BudgetUse] {
        guard !queries.isEmpty else { return [] }
        let steps: [PGStep] = [.simple("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")]
            + queries.map(PostgresBudgetQueries.step)
            + [.simple("COMMIT")]
        let results = try await pool.execute(steps)
        return queries.indices.map { i in
            guard i + 1 < results.count, let row = results[i + 1].first else { return .zero }
            return BudgetUse(tokens: row.int(0) ?? 0, usd: row.double(1) ?? 0, unpricedRuns: row.int(2) ?? 0)
        }
    }

    /// The database's clock: `recorded_at` comes from it, so budget windows are cut on it.
    public func budgetClockNow() async throws(PostgresError) -> Double {
        guard let now = try await pool.query(PostgresBudgetQueries.now, []).first?.double(0) else {
            throw PostgresError(.server, "reading the database clock returned no row")
        }
        return now
    }
}
