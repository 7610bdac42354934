import Foundation
import Metering
@testable import SQLiteLedger
import Testing

@Suite struct SQLiteLedgerMigrationTests {
    /// A version 1 ledger as that release wrote it (no detail columns, no recorded_at).
    func makeVersion1Database(at path: String) throws {
        let db = try SQLiteConnection(path: path, readOnly: false, busyTimeoutMilliseconds: 100)
        try db.execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE llm_calls (
                id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, thread_id TEXT NOT NULL, account TEXT, demand_stage TEXT,
                model TEXT, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, usage_source TEXT NOT NULL,
                status TEXT NOT NULL, cost_usd REAL, started_at REAL NOT NULL, finished_at REAL NOT NULL, streaming INTEGER NOT NULL);
            CREATE INDEX llm_calls_thread ON llm_calls(thread_id, finished_at);
            CREATE INDEX llm_calls_finished ON llm_calls(finished_at);
            CREATE TABLE thread_evictions (thread_id TEXT NOT NULL, evicted_at REAL NOT NULL);
            CREATE INDEX thread_evictions_thread ON thread_evictions(thread_id, evicted_at);
            PRAGMA application_id = 1414351943;
            INSERT INTO llm_calls (run_id, thread_id, account, demand_stage, model, input_tokens, output_tokens, usage_source, status, cost_usd, started_at, finished_at, streaming)
                VALUES ('run_old1', 'thread_old', 'Acme', 'Interest', 'gpt-4o', 100, 40, 'upstream', 'completed', 0.00065, 1767225590, 1767225600, 1),
                       ('run_old2', 'thread_old', NULL, NULL, 'gpt-4o', 10, 4, 'estimated', 'failed', NULL, 1767225610, 1767225620, 0),
                       ('run_gone', 'thread_gone', NULL, NULL, NULL, 7, 7, 'upstream', 'completed', NULL, 1767225500, 1767225510, 1);
            INSERT INTO thread_evictions (thread_id, evicted_at) VALUES ('thread_gone', 1767225550);
            PRAGMA user_version = 1;
            """)
        db.close()
    }

    @Test func version1Database_isMigratedAtOpen_andItsRowsStillCount() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("v1.sqlite")
        try makeVersion1Database(at: path)

        let ledger = try SQLiteLedger.open(path)
        defer { ledger.close() }
        let db = try SQLiteConnection(path: path, readOnly: true, busyTimeoutMilliseconds: 100)
        #expect(try db.integer("PRAGMA user_version") == Int64(LedgerSchema.currentVersion))
        #expect(try db.integer("SELECT count(*) FROM llm_calls WHERE surface = 'query'") == 3, "earlier rows came through /v1/query")
        #expect(try db.integer("SELECT count(*) FROM llm_calls WHERE recorded_at = finished_at") == 3)
        #expect(try db.integer("SELECT count(*) FROM llm_calls WHERE cached_input_tokens IS NULL") == 3)

        let threads = try await ledger.loadThreads(activeSince: 0)
        #expect(threads.map(\.threadId) == ["thread_old"])
        #expect(threads.first?.usage == TokenUsage(inputTokens: 110, outputTokens: 44))
        #expect(threads.first?.runs == 2)
        #expect(threads.first?.account == "Acme")
        #expect(threads.first?.lastActivity == 1_767_225_620)

        try await ledger.append(Fixtures.record("thread_old", 1, 1, run: "run_new", at: 1_767_225_700))
        #expect(try await ledger.loadThreads(activeSince: 0).first?.runs == 3)
    }

    @Test func surfaceIsStored_andRunsAreFoundByRunId() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("s.sqlite")
        let ledger = try SQLiteLedger.open(path)
        var record = Fixtures.record("thread_a", 5, 3, run: "run_dropin", at: Fixtures.t0)
        record.surface = .responses
        try await ledger.append(record)
        try await ledger.append(Fixtures.record("thread_a", 1, 1, run: "run_query", at: Fixtures.t0 + 1))
        #expect(try await ledger.containsRun(runId: "run_dropin"))
        #expect(try await ledger.containsRun(runId: "run_query"))
        #expect(try await !ledger.containsRun(runId: "run_other"))
        ledger.close()
        let db = try SQLiteConnection(path: path, readOnly: true, busyTimeoutMilliseconds: 100)
        #expect(try db.texts("SELECT surface FROM llm_calls ORDER BY id") == ["responses", "query"])
        db.close()
        // After a restart the run is still found.
        let reopened = try SQLiteLedger.open(path)
        defer { reopened.close() }
        #expect(try await reopened.containsRun(runId: "run_dropin"))
    }

    @Test func reopeningACurrentDatabase_migratesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try SQLiteLedger.open(dir.file("l.sqlite")).close()
        let db = try SQLiteConnection(path: dir.file("l.sqlite"), readOnly: false, busyTimeoutMilliseconds: 100)
        #expect(try LedgerSchema.migrate(db) == LedgerSchema.currentVersion)
    }

    @Test func databaseFromANewerRelease_isRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try SQLiteLedger.open(dir.file("l.sqlite")).close()
        let db = try SQLiteConnection(path: dir.file("l.sqlite"), readOnly: false, busyTimeoutMilliseconds: 100)
        try db.execute("PRAGMA user_version = 99")
        db.close()
        let error = try #require(throws: SQLiteLedgerError.self) { try SQLiteLedger.open(dir.file("l.sqlite")) }
        #expect(error.kind == .schemaTooNew)
        #expect(error.description.contains("schema version 99 is newer"))
    }
}
