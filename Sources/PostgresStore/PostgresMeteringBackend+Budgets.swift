// Budgets shared by every replica: the backend forwards to the shared store.
import Metering

extension PostgresMeteringBackend {
    public func putBudget(_ budget: Budget) async throws { try await store.putBudget(budget) }

    public func deleteBudget(scope: BudgetScope, key: String) async throws -> Bool {
        try await store.deleteBudget(scope: scope, key: key)
    }

    public func allBudgets() async throws -> [Budget] { try await store.allBudgets() }

    public func candidateBudgets(threadId: String?, account: String?) async throws -> [Budget] {
        try await store.candidateBudgets(threadId: threadId, account: account)
    }

    /// Rows still in this replica's spool (the store was unreachable) are not in the sums until written.
    public func budgetUse(_ queries: [BudgetUseQuery]) async throws -> [BudgetUse] { try await store.budgetUse(queries) }

    /// The database's clock (`recorded_at` comes from it).
    public func budgetClockNow() async throws -> Double { try await store.budgetClockNow() }
}
