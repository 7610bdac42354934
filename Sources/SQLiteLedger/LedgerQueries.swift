// The ledger's SQL: inserting rows, recovery and history.
import Metering

/// SQL text and the code that binds and reads it.
enum LedgerQueries {
    static let insertRun = """
        INSERT INTO llm_calls (run_id, thread_id, account, demand_stage, model, input_tokens, output_tokens,
            cached_input_tokens, reasoning_tokens, usage_source, status, cost_usd, started_at, finished_at,
            recorded_at, streaming)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
        """

    static let insertEviction = "INSERT INTO thread_evictions (thread_id, evicted_at) VALUES (?1, ?2)"

    static func bind(_ r: RunRecord, to s: SQLiteStatement) throws(SQLiteLedgerError) {
        s.reset()
        try s.bind(1, r.runId)
        try s.bind(2, r.threadId)
        try s.bind(3, r.account)
        try s.bind(4, r.demandStage)
        try s.bind(5, r.model)
        try s.bind(6, r.usage.inputTokens)
        try s.bind(7, r.usage.outputTokens)
        try s.bind(8, r.usage.cachedInputTokens)
        try s.bind(9, r.usage.reasoningTokens)
        try s.bind(10, r.usageSource.rawValue)
        try s.bind(11, r.status)
        try s.bind(12, r.costUSD)
        try s.bind(13, r.startedAt)
        try s.bind(14, r.finishedAt)
        try s.bind(15, r.accountedAt)
        try s.bind(16, r.streaming ? 1 : 0)
    }

    /// Threads with a row accounted at or after ?1 (after their last eviction), summed over their
    /// rows since that eviction. Uses the (thread_id, recorded_at) and recorded_at indexes, so it
    /// reads the active threads' rows, not the whole history.
    static let threadsSQL = """
        WITH active AS (
            SELECT DISTINCT thread_id FROM llm_calls WHERE recorded_at >= ?1
        ),
        last_eviction AS (
            SELECT e.thread_id, MAX(e.evicted_at) AS at
            FROM thread_evictions e JOIN active a ON a.thread_id = e.thread_id
            GROUP BY e.thread_id
        ),
        live AS (
            SELECT c.* FROM active a
            JOIN llm_calls c ON c.thread_id = a.thread_id
            LEFT JOIN last_eviction le ON le.thread_id = a.thread_id
            WHERE c.recorded_at >= COALESCE(le.at, -1e308)
        )
        SELECT thread_id, SUM(input_tokens), SUM(output_tokens), COUNT(*), MAX(recorded_at), SUM(cost_usd),
            (SELECT l2.account FROM live l2 WHERE l2.thread_id = live.thread_id AND l2.account IS NOT NULL
             ORDER BY l2.recorded_at DESC, l2.id DESC LIMIT 1)
        FROM live
        GROUP BY thread_id
        HAVING MAX(recorded_at) >= ?1
        """

    static func threads(_ db: SQLiteConnection, activeSince: Double) throws(SQLiteLedgerError) -> [ThreadUsageSnapshot] {
        let s = try db.statement(threadsSQL)
        defer { s.reset() }
        try s.bind(1, activeSince)
        var result: [ThreadUsageSnapshot] = []
        while try s.step() {
            result.append(ThreadUsageSnapshot(
                threadId: s.text(0) ?? "",
                usage: TokenUsage(inputTokens: s.int(1), outputTokens: s.int(2)),
                runs: s.int(3),
                lastActivity: s.double(4),
                account: s.text(6),
                costUSD: s.optionalDouble(5)
            ))
        }
        return result
    }

    static func historySQL(_ groupBy: UsageGrouping) -> String {
        let key = switch groupBy {
        case .account: "COALESCE(account, '')"
        case .model: "COALESCE(model, '')"
        case .day: "strftime('%Y-%m-%d', CAST(finished_at AS INTEGER), 'unixepoch')"
        }
        return """
            SELECT \(key) AS k, COUNT(*), SUM(input_tokens), SUM(output_tokens), TOTAL(cost_usd), COUNT(*) - COUNT(cost_usd)
            FROM llm_calls
            WHERE finished_at >= ?1 AND finished_at < ?2
            GROUP BY k
            ORDER BY k
            """
    }

    static func history(_ db: SQLiteConnection, since: Double?, until: Double?, groupBy: UsageGrouping) throws(SQLiteLedgerError) -> [UsageBucket] {
        let s = try db.statement(historySQL(groupBy))
        defer { s.reset() }
        try s.bind(1, since ?? -Double.greatestFiniteMagnitude)
        try s.bind(2, until ?? Double.greatestFiniteMagnitude)
        var result: [UsageBucket] = []
        while try s.step() {
            result.append(UsageBucket(
                key: s.text(0) ?? "", runs: s.int(1), inputTokens: s.int(2), outputTokens: s.int(3),
                costUSD: s.double(4), unpricedRuns: s.int(5)
            ))
        }
        return result
    }
}
