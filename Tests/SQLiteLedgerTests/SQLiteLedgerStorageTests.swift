import Foundation
import Metering
@testable import SQLiteLedger
import Testing

@Suite struct SQLiteLedgerStorageTests {
    @Test func appendedRows_areStoredWithEveryColumn() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"))
        let record = Fixtures.record("thread_x", 89, 67, run: "run_1", at: Fixtures.t0)
        try await ledger.append(record)
        ledger.close()

        let db = try SQLiteConnection(path: dir.file("l.sqlite"), readOnly: true, busyTimeoutMilliseconds: 100)
        let s = try db.statement("""
            SELECT run_id, thread_id, account, demand_stage, model, input_tokens, output_tokens, cached_input_tokens,
                   reasoning_tokens, usage_source, status, cost_usd, started_at, finished_at, recorded_at, streaming
            FROM llm_calls
            """)
        #expect(try s.step())
        #expect(s.text(0) == "run_1")
        #expect(s.text(1) == "thread_x")
        #expect(s.text(2) == "Acme")
        #expect(s.text(3) == "Interest")
        #expect(s.text(4) == "gpt-4o-mini")
        #expect(s.int(5) == 89)
        #expect(s.int(6) == 67)
        #expect(s.int(7) == 44)
        #expect(s.isNull(8))
        #expect(s.text(9) == "upstream")
        #expect(s.text(10) == "completed")
        #expect(s.double(11) == 0.001)
        #expect(s.double(12) == Fixtures.t0 - 2)
        #expect(s.double(13) == Fixtures.t0)
        #expect(s.double(14) == Fixtures.t0)
        #expect(s.int(15) == 1)
        #expect(try !s.step())
    }

    @Test func newDatabase_usesWALAndFullSync_andTheCurrentSchemaVersion() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { ledger.close() }
        let db = try SQLiteConnection(path: dir.file("l.sqlite"), readOnly: true, busyTimeoutMilliseconds: 100)
        #expect(try db.texts("PRAGMA journal_mode") == ["wal"])
        #expect(try db.integer("PRAGMA user_version") == Int64(SQLiteLedger.schemaVersion))
        #expect(try db.integer("PRAGMA application_id") == LedgerSchema.applicationID)
        #expect(try db.texts("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") == ["budgets", "llm_calls", "thread_evictions", "watched_runs"])
        #expect(SQLiteLedger.Options().synchronous == .full)
    }

    @Test func loadThreadsAndHistory_matchTheReferenceSemantics() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { ledger.close() }
        let reference = InMemoryLedger()
        try await ledger.append(contentsOf: Array(Fixtures.records[..<20]))
        for record in Fixtures.records[20...] { try await ledger.append(record) }
        try await reference.append(contentsOf: Fixtures.records)
        let evictedAt = Fixtures.t0 + 20 * 7_000 + 1
        try await ledger.recordEviction(threadIds: ["thread_1", "thread_2"], at: evictedAt)
        try await reference.recordEviction(threadIds: ["thread_1", "thread_2"], at: evictedAt)

        for since in [Fixtures.t0 - 1, Fixtures.t0 + 150_000, Fixtures.t0 + 270_000, Fixtures.t0 + 1e6] {
            let got = try await ledger.loadThreads(activeSince: since).sorted { $0.threadId < $1.threadId }
            let want = try await reference.loadThreads(activeSince: since).sorted { $0.threadId < $1.threadId }
            #expect(got.map(\.threadId) == want.map(\.threadId))
            for (g, w) in zip(got, want) {
                #expect(g.usage == w.usage && g.runs == w.runs && g.lastActivity == w.lastActivity && g.account == w.account)
                #expect(abs((g.costUSD ?? -1) - (w.costUSD ?? -1)) < 1e-12)
            }
        }
        for grouping in UsageGrouping.allCases {
            for (since, until) in [(nil, nil), (Fixtures.t0 + 50_000, Fixtures.t0 + 200_000), (Fixtures.t0 + 86_400, nil)] as [(Double?, Double?)] {
                let got = try await ledger.usageHistory(since: since, until: until, groupBy: grouping)
                let want = try await reference.usageHistory(since: since, until: until, groupBy: grouping)
                #expect(got.map(\.key) == want.map(\.key), "\(grouping)")
                for (g, w) in zip(got, want) {
                    #expect(g.runs == w.runs && g.inputTokens == w.inputTokens && g.outputTokens == w.outputTokens && g.unpricedRuns == w.unpricedRuns)
                    #expect(abs(g.costUSD - w.costUSD) < 1e-12)
                }
            }
        }
    }

    @Test func history_groupsByUTCDay() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { ledger.close() }
        try await ledger.append(contentsOf: [
            Fixtures.record("a", 1, 1, run: "r1", at: Fixtures.t0 - 0.5),
            Fixtures.record("a", 2, 2, run: "r2", at: Fixtures.t0),
            Fixtures.record("b", 3, 3, run: "r3", at: Fixtures.t0 + 86_399.9),
        ])
        let days = try await ledger.usageHistory(since: nil, until: nil, groupBy: .day)
        #expect(days.map(\.key) == ["2025-12-31", "2026-01-01"])
        #expect(days.map(\.totalTokens) == [2, 10])
        #expect(days.map(\.runs) == [1, 2])
    }

    @Test func appendAfterClose_throwsClosed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"))
        ledger.close()
        do {
            try await ledger.append(Fixtures.record("a", 1, 1, run: "r", at: Fixtures.t0))
            Issue.record("append succeeded on a closed ledger")
        } catch let error as SQLiteLedgerError {
            #expect(error.kind == .closed)
        }
    }
}
