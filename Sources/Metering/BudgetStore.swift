// Where budgets are stored and their use summed: the seam both usage stores (SQLite, PostgreSQL) implement.

/// Budget rows and the sums of the run ledger they are checked against. `UsageStore` refines it, so
/// every usage store keeps budgets next to the ledger that counts the usage.
public protocol BudgetStore: Sendable {
    /// Creates or replaces (never merges) the budget of its scope and key.
    func putBudget(_ budget: Budget) async throws
    /// Deletes a budget; false when there was none.
    func deleteBudget(scope: BudgetScope, key: String) async throws -> Bool
    /// Every budget, ordered by scope (thread, account, global) then key.
    func allBudgets() async throws -> [Budget]
    /// The budgets that may apply to a run: the thread's own and `thread/*`, the account's own and
    /// `account/*` (only when `account` is given), and `global/all`. `threadId` nil: a new thread.
    func candidateBudgets(threadId: String?, account: String?) async throws -> [Budget]
    /// The ledger's sums for each query, in order, read from the store (committed rows only).
    func budgetUse(_ queries: [BudgetUseQuery]) async throws -> [BudgetUse]
    /// The current time on the clock the ledger's `recorded_at` uses (windows are cut on it).
    func budgetClockNow() async throws -> Double
}

/// The budget part of a ledger of one replica (`SQLiteLedger`, `InMemoryLedger`); the local store
/// adds the meter's clock.
public protocol BudgetLedger: Sendable {
    func putBudget(_ budget: Budget) async throws
    func deleteBudget(scope: BudgetScope, key: String) async throws -> Bool
    func allBudgets() async throws -> [Budget]
    func candidateBudgets(threadId: String?, account: String?) async throws -> [Budget]
    func budgetUse(_ queries: [BudgetUseQuery]) async throws -> [BudgetUse]
}

/// A ledger without budget storage (a test double) was given to a store asked for budgets.
public struct BudgetsUnsupported: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "this usage ledger does not store budgets" }
}

extension Budget {
    /// Store order: scope (thread, account, global), then key.
    public static func storeOrder(_ a: Budget, _ b: Budget) -> Bool {
        a.scope != b.scope ? a.scope < b.scope : a.key < b.key
    }
}
