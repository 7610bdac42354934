// Watched drop-in runs in the SQLite ledger: rows of `watched_runs`, written on the write connection.
import Metering

extension SQLiteLedger: RunWatchStore {
    public func addWatch(_ watch: WatchedRun) async throws {
        _ = try await write { db throws(SQLiteLedgerError) in
            let s = try db.statement("""
                INSERT OR REPLACE INTO watched_runs (run_id, thread_id, surface, account, streaming, request_id, started_at, cancel_first)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
            defer { s.reset() }
            try s.bind(1, watch.runId)
            try s.bind(2, watch.threadId)
            try s.bind(3, watch.surface.rawValue)
            try s.bind(4, watch.account)
            try s.bind(5, watch.streaming ? 1 : 0)
            try s.bind(6, watch.requestId)
            try s.bind(7, watch.startedAt)
            try s.bind(8, watch.cancelFirst ? 1 : 0)
            try s.run()
            return 0
        }
    }

    public func removeWatch(runId: String) async throws {
        _ = try await write { db throws(SQLiteLedgerError) in
            let s = try db.statement("DELETE FROM watched_runs WHERE run_id = ?1")
            defer { s.reset() }
            try s.bind(1, runId)
            try s.run()
            return 0
        }
    }

    public func watchedRuns() async throws -> [WatchedRun] {
        try await read { db throws(SQLiteLedgerError) in
            let s = try db.statement("""
                SELECT run_id, thread_id, surface, account, streaming, request_id, started_at, cancel_first
                FROM watched_runs ORDER BY started_at, run_id
                """)
            defer { s.reset() }
            var rows: [WatchedRun] = []
            while try s.step() {
                guard let runId = s.text(0), let threadId = s.text(1), let surface = s.text(2).flatMap(RunSurface.init(rawValue:)) else {
                    continue
                }
                rows.append(WatchedRun(runId: runId, threadId: threadId, surface: surface, account: s.text(3), streaming: s.int(4) != 0,
                                       requestId: s.text(5) ?? "-", startedAt: s.double(6), cancelFirst: s.int(7) != 0))
            }
            return rows
        }
    }
}
