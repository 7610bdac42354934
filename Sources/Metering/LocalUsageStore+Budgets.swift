// Budgets of one replica: kept in its ledger (SQLite), windows cut on the meter's clock.

extension LocalUsageStore {
    private var budgetLedger: any BudgetLedger {
        get throws {
            guard let ledger = ledger as? any BudgetLedger else { throw BudgetsUnsupported() }
            return ledger
        }
    }

    public func putBudget(_ budget: Budget) async throws {
        try await budgetLedger.putBudget(budget)
    }

    public func deleteBudget(scope: BudgetScope, key: String) async throws -> Bool {
        try await budgetLedger.deleteBudget(scope: scope, key: key)
    }

    public func allBudgets() async throws -> [Budget] {
        try await budgetLedger.allBudgets()
    }

    public func candidateBudgets(threadId: String?, account: String?) async throws -> [Budget] {
        try await budgetLedger.candidateBudgets(threadId: threadId, account: account)
    }

    /// Sums committed ledger rows. A run whose row waits in the retry queue (the ledger failing) is
    /// not in them until it is written.
    public func budgetUse(_ queries: [BudgetUseQuery]) async throws -> [BudgetUse] {
        try await budgetLedger.budgetUse(queries)
    }

    /// The meter's clock: the ledger's `recorded_at` comes from it.
    public func budgetClockNow() async throws -> Double { clock.now() }
}
