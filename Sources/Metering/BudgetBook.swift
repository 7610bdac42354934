// Budgets as the app uses them: the ones applying to a run with their use, and the admin listing.

/// Reads budgets and their use from a `BudgetStore` (nothing is cached: every figure is the
/// store's, so it is exact on every replica and after a restart).
public struct BudgetBook: Sendable {
    public let store: any BudgetStore

    public init(store: any BudgetStore) {
        self.store = store
    }

    /// The budgets applying to a run on `threadId` (nil: a thread not created yet) naming
    /// `account`, with the thread's and account's own use: the thread's budget (else `thread/*`),
    /// the account's (else `account/*`, only with an account), and `global/all`, in that order.
    /// Also returns the time the windows were cut at.
    public func applicable(threadId: String?, account: String?) async throws -> (standings: [BudgetStanding], now: Double) {
        let candidates = try await store.candidateBudgets(threadId: threadId, account: account)
        guard !candidates.isEmpty else { return ([], 0) }
        var chosen: [(Budget, BudgetUseQuery.Runs?)] = []
        let threads = candidates.filter { $0.scope == .thread }
        if let own = threads.first(where: { $0.key == threadId }) ?? threads.first(where: { $0.isDefault }) {
            chosen.append((own, threadId.map { .thread($0) }))
        }
        if let account {
            let accounts = candidates.filter { $0.scope == .account }
            if let own = accounts.first(where: { $0.key == account }) ?? accounts.first(where: { $0.isDefault }) {
                chosen.append((own, .account(account)))
            }
        }
        if let global = candidates.first(where: { $0.scope == .global && $0.key == Budget.globalKey }) {
            chosen.append((global, .all))
        }
        guard !chosen.isEmpty else { return ([], 0) }
        let now = try await store.budgetClockNow()
        return (try await measure(chosen, now: now), now)
    }

    /// Every budget with its use (a `*` budget sums every thread or account it covers), for the
    /// admin API and the dashboard.
    public func listing() async throws -> (standings: [BudgetStanding], now: Double) {
        let budgets = try await store.allBudgets()
        guard !budgets.isEmpty else { return ([], 0) }
        let now = try await store.budgetClockNow()
        return (try await measure(budgets.map { ($0, Self.coverage(of: $0)) }, now: now), now)
    }

    /// One budget with its use as the admin API shows it, or nil when there is none.
    public func standing(scope: BudgetScope, key: String) async throws -> (standing: BudgetStanding, now: Double)? {
        guard let budget = try await store.allBudgets().first(where: { $0.scope == scope && $0.key == key }) else { return nil }
        let now = try await store.budgetClockNow()
        guard let standing = try await measure([(budget, Self.coverage(of: budget))], now: now).first else { return nil }
        return (standing, now)
    }

    /// The runs a budget covers in the admin view.
    static func coverage(of budget: Budget) -> BudgetUseQuery.Runs {
        switch budget.scope {
        case .thread: budget.isDefault ? .threadsWithoutBudget : .thread(budget.key)
        case .account: budget.isDefault ? .accountsWithoutBudget : .account(budget.key)
        case .global: .all
        }
    }

    /// Sums each budget's runs (nil: no runs, e.g. a thread not created yet) in its window at `now`.
    private func measure(_ items: [(Budget, BudgetUseQuery.Runs?)], now: Double) async throws -> [BudgetStanding] {
        let queries = items.compactMap { budget, runs in runs.map { BudgetUseQuery($0, since: budget.window.start(at: now)) } }
        var uses = try await store.budgetUse(queries)[...]
        return items.map { budget, runs in
            let use = runs == nil ? BudgetUse.zero : (uses.popFirst() ?? .zero)
            return BudgetStanding(budget: budget, use: use, resetsAt: budget.window.resetsAt(after: now))
        }
    }
}
