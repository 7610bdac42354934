// Budgets in the in-memory ledger: rows in a list, use summed over the stored records.

extension InMemoryLedger: BudgetLedger {
    public func putBudget(_ budget: Budget) async throws {
        if failWrites { throw WriteFailure() }
        budgetRows.withLock { rows in
            rows.removeAll { $0.scope == budget.scope && $0.key == budget.key }
            rows.append(budget)
        }
    }

    public func deleteBudget(scope: BudgetScope, key: String) async throws -> Bool {
        if failWrites { throw WriteFailure() }
        return budgetRows.withLock { rows in
            let before = rows.count
            rows.removeAll { $0.scope == scope && $0.key == key }
            return rows.count < before
        }
    }

    public func allBudgets() async throws -> [Budget] {
        budgetRows.withLock { $0 }.sorted(by: Budget.storeOrder)
    }

    public func candidateBudgets(threadId: String?, account: String?) async throws -> [Budget] {
        try await allBudgets().filter { $0.mayApply(threadId: threadId, account: account) }
    }

    public func budgetUse(_ queries: [BudgetUseQuery]) async throws -> [BudgetUse] {
        let budgets = try await allBudgets()
        let ownThreads = Set(budgets.filter { $0.scope == .thread && !$0.isDefault }.map(\.key))
        let ownAccounts = Set(budgets.filter { $0.scope == .account && !$0.isDefault }.map(\.key))
        let counted = records.filter(\.countsAsRun)
        return queries.map { query in
            var use = BudgetUse.zero
            for r in counted where r.accountedAt >= (query.since ?? -.infinity) {
                let covered = switch query.runs {
                case .thread(let id): r.threadId == id
                case .account(let name): r.account == name
                case .threadsWithoutBudget: !ownThreads.contains(r.threadId)
                case .accountsWithoutBudget: r.account.map { !ownAccounts.contains($0) } ?? false
                case .all: true
                }
                guard covered else { continue }
                use.tokens += r.usage.totalTokens
                if let cost = r.costUSD { use.usd += cost } else { use.unpricedRuns += 1 }
            }
            return use
        }
    }
}
