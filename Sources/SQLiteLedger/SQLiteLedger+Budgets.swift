// Budgets in the SQLite ledger: rows of `budgets`, use summed from `llm_calls` on the read connection.
import Foundation
import Metering

extension SQLiteLedger: BudgetLedger {
    public func putBudget(_ budget: Budget) async throws {
        let now = Date().timeIntervalSince1970
        _ = try await write { db throws(SQLiteLedgerError) in
            let s = try db.statement("""
                INSERT OR REPLACE INTO budgets (scope, key, time_window, max_tokens, max_usd, warn_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """)
            defer { s.reset() }
            try s.bind(1, budget.scope.rawValue)
            try s.bind(2, budget.key)
            try s.bind(3, budget.window.rawValue)
            try s.bind(4, budget.maxTokens)
            try s.bind(5, budget.maxUSD)
            try s.bind(6, budget.warnAt)
            try s.bind(7, now)
            try s.run()
            return 0
        }
        budgetRows.invalidate()
    }

    public func deleteBudget(scope: BudgetScope, key: String) async throws -> Bool {
        defer { budgetRows.invalidate() }
        return try await write { db throws(SQLiteLedgerError) in
            let s = try db.statement("DELETE FROM budgets WHERE scope = ?1 AND key = ?2")
            defer { s.reset() }
            try s.bind(1, scope.rawValue)
            try s.bind(2, key)
            try s.run()
            return Int(try db.integer("SELECT changes()"))
        } > 0
    }

    /// Every budget (from memory after the first read; see `BudgetRowCache`).
    public func allBudgets() async throws -> [Budget] {
        let (cached, generation) = budgetRows.rows()
        if let cached { return cached }
        let rows = try await read { db throws(SQLiteLedgerError) in try Self.budgets(db) }
        budgetRows.store(rows, readAt: generation)
        return rows
    }

    public func candidateBudgets(threadId: String?, account: String?) async throws -> [Budget] {
        try await allBudgets().filter { $0.mayApply(threadId: threadId, account: account) }
    }

    /// Sums committed rows in one read transaction. The global and account sums are kept per window
    /// with the highest row id they cover and extended by the rows appended since (`BudgetSumCache`):
    /// the same figures as a full sum.
    public func budgetUse(_ queries: [BudgetUseQuery]) async throws -> [BudgetUse] {
        guard !queries.isEmpty else { return [] }
        let cache = budgetSums
        return try await read { db throws(SQLiteLedgerError) in
            // One read transaction: every sum sees the same committed rows.
            try db.execute("BEGIN")
            defer { _ = db.rollbackIfNeeded() }
            let top = try db.integer("SELECT COALESCE(MAX(id), 0) FROM llm_calls")
            var uses: [BudgetUse] = []
            for query in queries {
                let key = BudgetSumCache.Key(runs: query.runs, since: query.since)
                let cacheable = BudgetSumCache.caches(query.runs)
                var use: BudgetUse
                if cacheable, let entry = cache.entry(key), entry.mark <= top, top - entry.mark <= BudgetSumCache.maxDelta {
                    let delta = try Self.sum(db, query, rows: "llm_calls NOT INDEXED", after: entry.mark, upTo: top)
                    use = entry.use
                    use.tokens += delta.tokens
                    use.usd += delta.usd
                    use.unpricedRuns += delta.unpricedRuns
                } else {
                    use = try Self.sum(db, query, rows: "llm_calls", after: 0, upTo: top)
                }
                if cacheable { cache.store(key, BudgetSumCache.Entry(mark: top, use: use)) }
                uses.append(use)
            }
            try db.execute("COMMIT")
            return uses
        }
    }

    /// The sum of a query's rows with `after` < id ≤ `upTo`, reading `rows` (`NOT INDEXED` walks the
    /// id range only).
    private static func sum(_ db: SQLiteConnection, _ query: BudgetUseQuery, rows: String, after: Int64, upTo: Int64) throws(SQLiteLedgerError) -> BudgetUse {
        let (filter, key) = Self.filter(query.runs)
        let s = try db.statement("""
            SELECT COALESCE(SUM(input_tokens + output_tokens), 0), TOTAL(cost_usd), COUNT(*) - COUNT(cost_usd)
            FROM \(rows)
            WHERE id > ?3 AND id <= ?4 AND recorded_at >= ?1
              AND (status = 'completed' OR input_tokens + output_tokens > 0) AND \(filter)
            """)
        defer { s.reset() }
        try s.bind(1, query.since ?? -Double.greatestFiniteMagnitude)
        if let key { try s.bind(2, key) }
        try s.bind(3, Int(after))
        try s.bind(4, Int(upTo))
        guard try s.step() else { return .zero }
        return BudgetUse(tokens: s.int(0), usd: s.double(1), unpricedRuns: s.int(2))
    }

    /// The SQL condition selecting a budget's runs, and its `?2` parameter.
    private static func filter(_ runs: BudgetUseQuery.Runs) -> (String, String?) {
        switch runs {
        case .thread(let id): ("thread_id = ?2", id)
        case .account(let name): ("account = ?2", name)
        case .threadsWithoutBudget: ("thread_id NOT IN (SELECT key FROM budgets WHERE scope = 'thread' AND key <> '*')", nil)
        case .accountsWithoutBudget:
            ("account IS NOT NULL AND account NOT IN (SELECT key FROM budgets WHERE scope = 'account' AND key <> '*')", nil)
        case .all: ("1", nil)
        }
    }

    private static func budgets(_ db: SQLiteConnection) throws(SQLiteLedgerError) -> [Budget] {
        let s = try db.statement("SELECT scope, key, time_window, max_tokens, max_usd, warn_at FROM budgets")
        defer { s.reset() }
        var result: [Budget] = []
        while try s.step() {
            guard let scope = s.text(0).flatMap(BudgetScope.init(rawValue:)),
                  let window = s.text(2).flatMap(BudgetWindow.init(rawValue:)) else { continue }
            result.append(Budget(
                scope: scope, key: s.text(1) ?? "", window: window,
                maxTokens: s.isNull(3) ? nil : s.int(3), maxUSD: s.optionalDouble(4), warnAt: s.double(5)))
        }
        return result.sorted(by: Budget.storeOrder)
    }

    /// Runs `body` with the write connection on the write queue (between group commits).
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(SQLiteLedgerError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            writeQueue.async { @Sendable [writer] in
                do {
                    continuation.resume(returning: try body(writer))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
