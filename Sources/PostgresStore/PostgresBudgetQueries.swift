// The shared store's budget statements: budget rows, and their use summed from the ledger.
import Metering

/// SQL of budgets. Use is summed from `llm_calls` over `recorded_at`, which the database's clock
/// stamps, so windows are cut on that clock too (`now` below).
enum PostgresBudgetQueries {
    static let columns = "scope, key, time_window, max_tokens, max_usd, warn_at"

    /// $1 scope, $2 key, $3 window, $4 max tokens, $5 max usd, $6 warn at: create or replace.
    static let put = PGStatement("tm_budget_put", parameters: 6, """
        INSERT INTO budgets (scope, key, time_window, max_tokens, max_usd, warn_at, updated_at)
        VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::float8, $6::float8, now())
        ON CONFLICT (scope, key) DO UPDATE SET
            time_window = excluded.time_window, max_tokens = excluded.max_tokens, max_usd = excluded.max_usd,
            warn_at = excluded.warn_at, updated_at = excluded.updated_at
        """)

    /// $1 scope, $2 key.
    static let delete = PGStatement("tm_budget_delete", parameters: 2, """
        DELETE FROM budgets WHERE scope = $1::text AND key = $2::text RETURNING 1
        """)

    static let all = PGStatement("tm_budget_all", parameters: 0, """
        SELECT \(columns) FROM budgets ORDER BY scope, key
        """)

    /// $1 thread (NULL for a new thread), $2 account (NULL for none).
    static let candidates = PGStatement("tm_budget_candidates", parameters: 2, """
        SELECT \(columns) FROM budgets
        WHERE (scope = 'thread' AND (key = '*' OR key = $1::text))
           OR (scope = 'account' AND $2::text IS NOT NULL AND (key = '*' OR key = $2::text))
           OR (scope = 'global' AND key = 'all')
        """)

    static let now = PGStatement("tm_budget_now", parameters: 0, "SELECT \(PostgresQueries.epochNow)")

    /// $1 window start, $2 key (unused by some): the statement summing one kind of budget's runs.
    static func use(_ runs: BudgetUseQuery.Runs) -> PGStatement {
        let (name, filter) = switch runs {
        case .thread: ("thread", "thread_id = $2::text")
        case .account: ("account", "account = $2::text")
        case .threadsWithoutBudget:
            ("threads_default", "$2::text IS NULL AND thread_id NOT IN (SELECT key FROM budgets WHERE scope = 'thread' AND key <> '*')")
        case .accountsWithoutBudget:
            ("accounts_default", "$2::text IS NULL AND account IS NOT NULL AND account NOT IN (SELECT key FROM budgets WHERE scope = 'account' AND key <> '*')")
        case .all: ("all", "$2::text IS NULL")
        }
        return PGStatement("tm_budget_use_\(name)", parameters: 2, """
            SELECT coalesce(sum(input_tokens + output_tokens), 0), coalesce(sum(cost_usd), 0), count(*) - count(cost_usd)
            FROM llm_calls
            WHERE recorded_at >= $1::float8 AND (status = 'completed' OR input_tokens + output_tokens > 0) AND \(filter)
            """)
    }

    /// $1 first UTC day (Unix day number), $2 account: the global or an account's use from the daily
    /// sums the `llm_calls_budget_use` trigger keeps (`budget_use_daily`), for day-aligned windows.
    static let dailyAll = PGStatement("tm_budget_daily_all", parameters: 1, """
        SELECT coalesce(sum(tokens), 0), coalesce(sum(usd), 0), coalesce(sum(unpriced), 0)
        FROM budget_use_daily WHERE kind = 'all' AND key = '' AND day >= $1::integer
        """)

    static let dailyAccount = PGStatement("tm_budget_daily_account", parameters: 2, """
        SELECT coalesce(sum(tokens), 0), coalesce(sum(usd), 0), coalesce(sum(unpriced), 0)
        FROM budget_use_daily WHERE kind = 'account' AND key = $2::text AND day >= $1::integer
        """)

    /// The step summing one query: the daily sums for the global and account scopes when the window
    /// starts at a UTC midnight (every budget window does), else the ledger rows.
    static func step(_ query: BudgetUseQuery) -> PGStep {
        let since = query.since ?? -Double.greatestFiniteMagnitude
        let firstDay: Int? = query.since == nil ? Int(Int32.min)
            : (since.truncatingRemainder(dividingBy: 86_400) == 0 && abs(since) < 1e14 ? Int(since / 86_400) : nil)
        switch (query.runs, firstDay) {
        case (.all, let day?): return .prepared(dailyAll, ["\(day)"])
        case (.account(let name), let day?): return .prepared(dailyAccount, ["\(day)", name])
        default: return .prepared(use(query.runs), ["\(since)", key(query.runs)])
        }
    }

    /// The key parameter of a use query.
    static func key(_ runs: BudgetUseQuery.Runs) -> String? {
        switch runs {
        case .thread(let id): id
        case .account(let name): name
        case .threadsWithoutBudget, .accountsWithoutBudget, .all: nil
        }
    }

    /// A budget row (`columns`).
    static func budget(_ row: PGRow) -> Budget? {
        guard let scope = row.string(0).flatMap(BudgetScope.init(rawValue:)),
              let window = row.string(2).flatMap(BudgetWindow.init(rawValue:)) else { return nil }
        return Budget(scope: scope, key: row.string(1) ?? "", window: window, maxTokens: row.int(3), maxUSD: row.double(4),
                      warnAt: row.double(5) ?? Budget.defaultWarnAt)
    }
}
