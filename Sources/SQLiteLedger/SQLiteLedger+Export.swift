// Reading the whole ledger back, for copying it to another store (`threadmeter migrate`).
import Metering

extension SQLiteLedger {
    /// Up to `limit` run rows after row id `afterRowId`, in insertion order, with the row id of the
    /// last one (pass it back to continue; 0 starts at the beginning).
    public func exportRuns(afterRowId: Int64, limit: Int) async throws -> (records: [RunRecord], lastRowId: Int64) {
        try await read { db throws(SQLiteLedgerError) in
            let s = try db.statement("""
                SELECT id, run_id, thread_id, account, demand_stage, model, input_tokens, output_tokens,
                    cached_input_tokens, reasoning_tokens, usage_source, status, cost_usd, started_at, finished_at,
                    streaming, recorded_at
                FROM llm_calls WHERE id > ?1 ORDER BY id LIMIT ?2
                """)
            defer { s.reset() }
            try s.bind(1, Int(afterRowId))
            try s.bind(2, limit)
            var records: [RunRecord] = []
            var last = afterRowId
            while try s.step() {
                last = s.int64(0)
                records.append(RunRecord(
                    runId: s.text(1) ?? "", threadId: s.text(2) ?? "", account: s.text(3), demandStage: s.text(4), model: s.text(5),
                    usage: TokenUsage(
                        inputTokens: s.int(6), outputTokens: s.int(7),
                        cachedInputTokens: s.isNull(8) ? nil : s.int(8), reasoningTokens: s.isNull(9) ? nil : s.int(9)
                    ),
                    usageSource: UsageSource(rawValue: s.text(10) ?? "") ?? .upstream,
                    status: Self.exportedStatus(s.text(11)),
                    costUSD: s.optionalDouble(12), startedAt: s.double(13), finishedAt: s.double(14),
                    streaming: s.int(15) != 0, recordedAt: s.double(16)
                ))
            }
            return (records, last)
        }
    }

    /// Every eviction record, oldest first.
    public func exportEvictions() async throws -> [(threadId: String, at: Double)] {
        let rows = try await read { db throws(SQLiteLedgerError) -> [EvictionRow] in
            let s = try db.statement("SELECT thread_id, evicted_at FROM thread_evictions ORDER BY evicted_at, rowid")
            defer { s.reset() }
            var rows: [EvictionRow] = []
            while try s.step() { rows.append(EvictionRow(threadId: s.text(0) ?? "", at: s.double(1))) }
            return rows
        }
        return rows.map { ($0.threadId, $0.at) }
    }

    /// The number of run rows (to report progress and check a copy).
    public func runCount() async throws -> Int {
        try await read { db throws(SQLiteLedgerError) in Int(try db.integer("SELECT count(*) FROM llm_calls")) }
    }

    static func exportedStatus(_ text: String?) -> RunStatus { text.flatMap(RunStatus.init(rawValue:)) ?? .broken }
}

private struct EvictionRow: Sendable {
    var threadId: String
    var at: Double
}
