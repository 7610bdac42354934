import Foundation
import Metering
@testable import SQLiteLedger
import Testing

/// Budgets in the SQLite ledger (contract §9): stored rows survive a reopen, replace not merge, and
/// their use is the ledger's own sum per window, matching the in-memory reference.
@Suite struct SQLiteLedgerBudgetTests {
    static let budgets = [
        Budget(scope: .thread, key: "*", window: .day, maxTokens: 100),
        Budget(scope: .thread, key: "thread_1", window: .total, maxTokens: 5_000, warnAt: 0.5),
        Budget(scope: .account, key: "*", window: .month, maxUSD: 2.5),
        Budget(scope: .account, key: "Acme", window: .day, maxTokens: 300, maxUSD: 0.01),
        Budget(scope: .account, key: "Zürich AG 🏔", window: .total, maxTokens: 9),
        Budget(scope: .global, key: "all", window: .month, maxTokens: 1_000_000),
    ]

    @Test func budgetsSurviveAReopen_andUseEqualsTheReferenceSums() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("b.sqlite")
        let first = try SQLiteLedger.open(path)
        try await first.append(contentsOf: Fixtures.records)
        for budget in Self.budgets { try await first.putBudget(budget) }
        // Replace, not merge: the cost limit goes.
        try await first.putBudget(Budget(scope: .account, key: "Acme", window: .day, maxTokens: 300))
        first.close()

        let ledger = try SQLiteLedger.open(path)
        defer { ledger.close() }
        var expected = Self.budgets.sorted(by: Budget.storeOrder)
        expected[expected.firstIndex { $0.key == "Acme" }!].maxUSD = nil
        #expect(try await ledger.allBudgets() == expected)
        #expect(try await ledger.candidateBudgets(threadId: "thread_1", account: nil).map(\.key) == ["*", "thread_1", "all"])
        #expect(try await ledger.candidateBudgets(threadId: nil, account: "Acme").map(\.key) == ["*", "*", "Acme", "all"])

        let reference = InMemoryLedger(records: Fixtures.records)
        for budget in expected { try await reference.putBudget(budget) }
        var queries: [BudgetUseQuery] = []
        for since in [nil, Fixtures.t0 + 86_400, Fixtures.t0 + 2 * 86_400 + 1] {
            for runs: BudgetUseQuery.Runs in [.thread("thread_1"), .thread("thread_6"), .account("Acme"), .account("Beta"),
                                              .threadsWithoutBudget, .accountsWithoutBudget, .all] {
                queries.append(BudgetUseQuery(runs, since: since))
            }
        }
        let stored = try await ledger.budgetUse(queries)
        let summed = try await reference.budgetUse(queries)
        #expect(stored.map(\.tokens) == summed.map(\.tokens))
        #expect(stored.map(\.unpricedRuns) == summed.map(\.unpricedRuns))
        for (a, b) in zip(stored, summed) { #expect(abs(a.usd - b.usd) < 1e-12) }
        #expect(stored.last?.tokens ?? 0 > 0)
        #expect(stored[6].tokens == Fixtures.records.reduce(0) { $0 + $1.usage.totalTokens })

        #expect(try await ledger.deleteBudget(scope: .account, key: "Zürich AG 🏔"))
        #expect(try await !ledger.deleteBudget(scope: .account, key: "Zürich AG 🏔"))
        #expect(try await ledger.allBudgets().count == expected.count - 1)
    }

    /// The cached global and account sums, extended by the rows appended since, stay equal to the
    /// reference sums while runs are appended concurrently with the checks, across windows.
    @Test func cachedSums_extendedByNewRows_equalTheFullSums_underConcurrentAppends() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("c.sqlite"))
        defer { ledger.close() }
        let queries = [nil, Fixtures.t0 + 500].flatMap { since in
            [BudgetUseQuery(.all, since: since), BudgetUseQuery(.account("A1"), since: since), BudgetUseQuery(.account("A2"), since: since)]
        }
        func batch(_ n: Int) -> [RunRecord] {
            (0..<50).map { i in
                var r = Fixtures.record("t\(i % 9)", 3 + i % 4, 2, run: "b\(n)_\(i)", at: Fixtures.t0 + Double(n * 50 + i),
                                        account: i % 3 == 0 ? nil : "A\(i % 3)", cost: i % 4 == 0 ? nil : 0.25)
                if i % 11 == 0 { r.status = .failed; r.usage = .zero }
                return r
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for n in 0..<30 { try await ledger.append(contentsOf: batch(n)) } }
            group.addTask { for _ in 0..<60 { _ = try await ledger.budgetUse(queries) } }
            try await group.waitForAll()
        }
        // A large jump past the cache's delta bound is summed in full.
        try await ledger.append(contentsOf: (30..<1_100).flatMap(batch))
        let all = (0..<1_100).flatMap(batch)
        let stored = try await ledger.budgetUse(queries)
        let reference = try await InMemoryLedger(records: all).budgetUse(queries)
        #expect(stored.map(\.tokens) == reference.map(\.tokens))
        #expect(stored.map(\.unpricedRuns) == reference.map(\.unpricedRuns))
        for (a, b) in zip(stored, reference) { #expect(abs(a.usd - b.usd) < 1e-6) }
        #expect(stored[0].tokens > 0)
        // And again after a few more rows (the cached path).
        try await ledger.append(contentsOf: batch(5_000))
        let again = try await ledger.budgetUse(queries)
        let reference2 = try await InMemoryLedger(records: all + batch(5_000)).budgetUse(queries)
        #expect(again.map(\.tokens) == reference2.map(\.tokens))
        #expect(again.map(\.unpricedRuns) == reference2.map(\.unpricedRuns))
    }
}
