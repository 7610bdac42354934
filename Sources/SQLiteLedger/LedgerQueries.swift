// The ledger's SQL: inserting rows, recovery and history.
import Metering

/// SQL text and the code that binds and reads it.
enum LedgerQueries {
    static let insertRun = """
        INSERT INTO llm_calls (run_id, thread_id, account, demand_stage, model, input_tokens, output_tokens,
            cached_input_tokens, reasoning_tokens, usage_source, status, cost_usd, started_at, finished_at,
            recorded_at, streaming, surface)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
        """

    static let containsRunSQL = "SELECT count(*) FROM llm_calls WHERE run_id = ?1"

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
        try s.bind(11, r.status.rawValue)
        try s.bind(12, r.costUSD)
        try s.bind(13, r.startedAt)
        try s.bind(14, r.finishedAt)
        try s.bind(15, r.accountedAt)
        try s.bind(16, r.streaming ? 1 : 0)
        try s.bind(17, r.surface.rawValue)
    }

    /// Threads with a row accounted at or after ?1 (after their last eviction), summed over their
    /// rows since that eviction. Reads only the active threads' rows: the recorded_at index finds the
    /// active threads, the (thread_id, recorded_at) indexes their rows and last eviction (checked with
    /// EXPLAIN QUERY PLAN; the recorded_at index is forced because without statistics the planner
    /// would scan the whole history).
    static let threadsSQL = """
        WITH active AS (
            SELECT DISTINCT thread_id FROM llm_calls INDEXED BY llm_calls_recorded WHERE recorded_at >= ?1
        ),
        bounds AS (
            SELECT a.thread_id,
                COALESCE((SELECT MAX(e.evicted_at) FROM thread_evictions e WHERE e.thread_id = a.thread_id), -1e308) AS since
            FROM active a
        )
        SELECT b.thread_id, SUM(c.input_tokens), SUM(c.output_tokens),
            SUM(CASE WHEN c.status = 'completed' OR c.input_tokens + c.output_tokens > 0 THEN 1 ELSE 0 END), MAX(c.recorded_at), SUM(c.cost_usd),
            (SELECT c2.account FROM llm_calls c2
             WHERE c2.thread_id = b.thread_id AND c2.recorded_at >= b.since AND c2.account IS NOT NULL
             ORDER BY c2.recorded_at DESC, c2.id DESC LIMIT 1)
        FROM bounds b
        JOIN llm_calls c ON c.thread_id = b.thread_id AND c.recorded_at >= b.since
        GROUP BY b.thread_id
        HAVING MAX(c.recorded_at) >= ?1
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
