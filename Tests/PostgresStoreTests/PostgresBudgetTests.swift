import Foundation
import Metering
@testable import PostgresStore
import TestSupport
import Testing

/// Budgets in the shared store (contract §9): rows every replica sees, use summed from the shared
/// ledger equal to the reference sums, windows cut on the database's clock.
@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct PostgresBudgetTests {
    static let t0 = 1_767_225_600.0

    static let records: [RunRecord] = (0..<30).map { i in
        var r = StoreFixtures.record("thread_\(i % 4)", run: "run_\(i)", input: 10 + i, output: 3, account: i % 5 == 0 ? nil : ["Acme", "Beta"][i % 2],
                                     status: i == 7 ? .failed : .completed, cost: i % 3 == 0 ? nil : 0.001 * Double(i))
        if i == 7 { r.usage = .zero }
        r.recordedAt = t0 + Double(i) * 10_000
        return r
    }

    static func backend(_ url: String) async throws -> PostgresMeteringBackend {
        let spool = try RunSpool(path: NSTemporaryDirectory() + "tm-budget-spool-\(UUID().uuidString).jsonl")
        return PostgresMeteringBackend(store: try await StoreFixtures.open(url), spool: spool, maxAgeSeconds: 3_600)
    }

    @Test func twoReplicas_shareBudgets_andTheirUseEqualsTheReferenceSums() async throws {
        try await withTestDatabase { database in
            let a = try await Self.backend(database.url)
            defer { a.close() }
            let b = try await Self.backend(database.url)
            defer { b.close() }
            try await a.store.importRuns(Self.records)
            let budgets = [
                Budget(scope: .thread, key: "*", window: .day, maxTokens: 100),
                Budget(scope: .thread, key: "thread_1", window: .total, maxTokens: 5_000, warnAt: 0.5),
                Budget(scope: .account, key: "*", window: .month, maxUSD: 2.5),
                Budget(scope: .account, key: "Acme", window: .day, maxTokens: 300, maxUSD: 0.01),
                Budget(scope: .global, key: "all", window: .month, maxTokens: 1_000_000),
            ]
            for budget in budgets { try await a.putBudget(budget) }
            #expect(try await b.allBudgets() == budgets.sorted(by: Budget.storeOrder))
            #expect(try await b.candidateBudgets(threadId: nil, account: "Acme").map(\.key) == ["*", "*", "Acme", "all"])
            #expect(try await b.candidateBudgets(threadId: "thread_1", account: nil).map(\.key) == ["*", "thread_1", "all"])
            // Replace, not merge, seen by the other replica.
            try await b.putBudget(Budget(scope: .account, key: "Acme", window: .total, maxTokens: 7))
            #expect(try await a.allBudgets().first { $0.key == "Acme" } == Budget(scope: .account, key: "Acme", window: .total, maxTokens: 7))

            let reference = InMemoryLedger(records: Self.records)
            for budget in try await a.allBudgets() { try await reference.putBudget(budget) }
            var queries: [BudgetUseQuery] = []
            // Day-aligned windows read the daily sums the trigger keeps, others the ledger rows.
            for since in [nil, Self.t0 + 50_000, Self.t0 + 200_001, Self.t0, Self.t0 + 86_400, Self.t0 + 2 * 86_400, Self.t0 + 9 * 86_400] {
                for runs: BudgetUseQuery.Runs in [.thread("thread_1"), .thread("thread_9"), .account("Acme"), .account("Beta"),
                                                  .threadsWithoutBudget, .accountsWithoutBudget, .all] {
                    queries.append(BudgetUseQuery(runs, since: since))
                }
            }
            let stored = try await b.budgetUse(queries)
            let summed = try await reference.budgetUse(queries)
            #expect(stored.map(\.tokens) == summed.map(\.tokens))
            #expect(stored.map(\.unpricedRuns) == summed.map(\.unpricedRuns))
            for (x, y) in zip(stored, summed) { #expect(abs(x.usd - y.usd) < 1e-9) }
            #expect(stored[6].tokens > 0)

            // The windows are cut on the database's clock.
            let dbNow = try await a.budgetClockNow()
            #expect(abs(dbNow - Date().timeIntervalSince1970) < 60)

            #expect(try await b.deleteBudget(scope: .account, key: "Acme"))
            #expect(try await !a.deleteBudget(scope: .account, key: "Acme"))
            #expect(try await a.allBudgets().count == budgets.count - 1)
        }
    }

    @Test func runsRecordedThroughBothReplicas_countExactlyOnceInTheBudget() async throws {
        try await withTestDatabase { database in
            let a = try await Self.backend(database.url)
            defer { a.close() }
            let b = try await Self.backend(database.url)
            defer { b.close() }
            try await a.putBudget(Budget(scope: .account, key: "Shared", window: .day, maxTokens: 1_000))
            let book = BudgetBook(store: b)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    let replica = i.isMultiple(of: 2) ? a : b
                    group.addTask {
                        _ = await replica.beginRun(threadId: "t\(i % 5)", account: "Shared")
                        var record = StoreFixtures.record("t\(i % 5)", run: "shared_\(i)", input: 5, output: 5, account: "Shared")
                        record.recordedAt = nil
                        _ = try await replica.record(record)
                    }
                }
                try await group.waitForAll()
            }
            // A retried write of a run already stored changes nothing.
            _ = try await a.record(StoreFixtures.record("t0", run: "shared_0", input: 5, output: 5, account: "Shared"))
            let standing = try #require(try await book.applicable(threadId: "t0", account: "Shared").standings.first)
            #expect(standing.use.tokens == 400)
            #expect(standing.isExhausted == false)
            #expect(standing.resetsAt == BudgetWindow.day.resetsAt(after: try await a.budgetClockNow()))
            try await b.putBudget(Budget(scope: .account, key: "Shared", window: .day, maxTokens: 400))
            #expect(try await BudgetBook(store: a).applicable(threadId: nil, account: "Shared").standings.first?.isExhausted == true)
        }
    }

    /// A database migrated from the version before budgets: the daily sums are filled from the
    /// rows already in the ledger, and the trigger adds new rows on top.
    @Test func migrationFromBeforeBudgets_fillsTheDailySumsFromTheLedger() async throws {
        try await withTestDatabase { database in
            let first = try await StoreFixtures.open(database.url)
            try await first.importRuns(Self.records)
            first.close()
            let budgetsVersion = PostgresSchema.migrations.firstIndex { $0.contains("CREATE TABLE budget_use_daily") }! + 1
            try await offCooperativePool {
                try database.psql("""
                    DROP TRIGGER llm_calls_budget_use ON llm_calls; DROP FUNCTION tm_budget_use_add();
                    DROP TABLE budget_use_daily; DROP TABLE budgets;
                    DROP INDEX llm_calls_account_recorded; DROP INDEX llm_calls_recorded;
                    ALTER TABLE llm_calls DROP COLUMN IF EXISTS surface; -- a later migration, applied again
                    DROP TABLE IF EXISTS watched_runs; -- a later migration, applied again
                    DELETE FROM threadmeter_schema WHERE version >= \(budgetsVersion);
                    """)
            }
            let store = try await StoreFixtures.open(database.url)
            defer { store.close() }
            var later = StoreFixtures.record("thread_new", run: "later", input: 100, output: 1, account: "Acme")
            later.recordedAt = nil
            _ = try await store.finishRun(later, lease: nil)
            let queries = [BudgetUseQuery(.all, since: nil), BudgetUseQuery(.account("Acme"), since: nil), BudgetUseQuery(.account("Beta"), since: Self.t0 + 86_400)]
            let stored = try await store.budgetUse(queries)
            let reference = try await InMemoryLedger(records: Self.records).budgetUse(queries)
            #expect(stored[0].tokens == reference[0].tokens + 101)
            #expect(stored[1].tokens == reference[1].tokens + 101)
            #expect(stored[2].tokens == reference[2].tokens)
            #expect(stored.map(\.unpricedRuns) == reference.map(\.unpricedRuns))
        }
    }
}
