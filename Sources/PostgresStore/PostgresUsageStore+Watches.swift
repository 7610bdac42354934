// Watched drop-in runs in the shared store: rows of `watched_runs` every replica can resume.
import Metering

extension PostgresUsageStore {
    static let addWatch = PGStatement("tm_add_watch", parameters: 9, """
        INSERT INTO watched_runs (run_id, thread_id, surface, account, streaming, request_id, started_at, cancel_first, replica)
        VALUES ($1::text, $2::text, $3::text, $4::text, $5::boolean, $6::text, $7::float8, $8::boolean, $9::text)
        ON CONFLICT (run_id) DO UPDATE SET cancel_first = excluded.cancel_first, replica = excluded.replica
        """)
    static let removeWatch = PGStatement("tm_remove_watch", parameters: 1, "DELETE FROM watched_runs WHERE run_id = $1::text")
    static let watches = PGStatement("tm_watches", parameters: 0, """
        SELECT run_id, thread_id, surface, account, streaming, request_id, started_at, cancel_first
        FROM watched_runs ORDER BY started_at, run_id
        """)

    /// Records a watch (replaces the row of the same run id).
    public func addWatch(_ watch: WatchedRun) async throws(PostgresError) {
        _ = try await pool.query(Self.addWatch, [
            watch.runId, watch.threadId, watch.surface.rawValue, watch.account, watch.streaming ? "true" : "false",
            watch.requestId, "\(watch.startedAt)", watch.cancelFirst ? "true" : "false", options.replicaName,
        ])
    }

    public func removeWatch(runId: String) async throws(PostgresError) {
        _ = try await pool.query(Self.removeWatch, [runId])
    }

    /// Every watch of every replica, oldest first.
    public func watchedRuns() async throws(PostgresError) -> [WatchedRun] {
        try await pool.query(Self.watches, []).all.compactMap { row in
            guard let runId = row.string(0), let threadId = row.string(1), let surface = row.string(2).flatMap(RunSurface.init(rawValue:)) else {
                return nil
            }
            return WatchedRun(runId: runId, threadId: threadId, surface: surface, account: row.string(3), streaming: row.bool(4) ?? false,
                              requestId: row.string(5) ?? "-", startedAt: row.double(6) ?? 0, cancelFirst: row.bool(7) ?? false)
        }
    }
}
