import Foundation
import Metering
import SQLiteLedger
import Telemetry
import TestSupport
import Testing
import ThreadMeterApp

@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct MigrateCommandTests {
    /// A SQLite ledger with runs, an eviction and an old idle thread, copied to PostgreSQL: every row
    /// once (also when run twice), and the totals a SQLite replica would recover, exactly.
    @Test func sqliteLedger_isCopiedWithExactTotals_andASecondRunCopiesNothingTwice() async throws {
        try await withTestDatabase { database in
            let directory = NSTemporaryDirectory() + "threadmeter-migrate-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/ledger.sqlite"
            let now = Date().timeIntervalSince1970
            let clock = ManualClock(now - 10_000)
            do {
                let ledger = try SQLiteLedger(path: path, logger: .noop)
                defer { ledger.close() }
                let meter = UsageMeter(maxAgeSeconds: 3_600, ledger: ledger, clock: clock)
                try await ledger.putBudget(Budget(scope: .account, key: "Acme", window: .month, maxTokens: 5_000, maxUSD: 1.5, warnAt: 0.9))
                try await ledger.putBudget(Budget(scope: .global, key: "all", window: .total, maxTokens: 9_999))
                // An old thread, idle for longer than the max age by now.
                _ = await meter.beginRun(threadId: "thread_old", account: "Old")
                _ = try await meter.finishRun(RunRecord(runId: "r_old", threadId: "thread_old", account: "Old", usage: TokenUsage(inputTokens: 7, outputTokens: 7), startedAt: clock.now(), finishedAt: clock.now()))
                clock.advance(by: 9_000)
                for i in 0..<30 {
                    let thread = "thread_\(i % 3)"
                    _ = await meter.beginRun(threadId: thread, account: "Acme")
                    _ = try await meter.finishRun(RunRecord(runId: "r\(i)", threadId: thread, account: "Acme", model: "gpt-4o-mini",
                                                            usage: TokenUsage(inputTokens: 10 + i, outputTokens: i), startedAt: clock.now(), finishedAt: clock.now()))
                    clock.advance(by: 1)
                    if i == 14 {
                        // Every thread is evicted half-way (its usage restarts from zero).
                        clock.advance(by: 3_601)
                        _ = await meter.evictIdle()
                    }
                }
            }
            let arguments = ["--from", "sqlite:\(path)", "--to", database.url, "--max-age", "3600"]
            #expect(await MigrateCommand.run(arguments: arguments, environment: [:]) == 0)
            #expect(await MigrateCommand.run(arguments: arguments, environment: [:]) == 0, "a second copy is harmless")
            let rows = try await offCooperativePool { try database.psql("SELECT count(*) FROM llm_calls") }
            #expect(rows == "31")
            let threads = try await offCooperativePool {
                try database.psql("SELECT string_agg(thread_id || ':' || total_tokens || ':' || runs, ',' ORDER BY thread_id) FROM threads")
            }
            // Only the runs after the eviction at i = 14 count; thread_old stays evicted.
            func expected(_ t: Int, from: Int) -> String {
                let runs = (from..<30).filter { $0 % 3 == t }
                return "thread_\(t):\(runs.reduce(0) { $0 + 10 + 2 * $1 }):\(runs.count)"
            }
            #expect(threads == [expected(0, from: 15), expected(1, from: 15), expected(2, from: 15)].joined(separator: ","))
            let totals = try await offCooperativePool { try database.psql("SELECT sum(threads), sum(input_tokens + output_tokens) FROM usage_totals") }
            let sum = (15..<30).reduce(0) { $0 + 10 + 2 * $1 }
            #expect(totals == "3|\(sum)")
            let budgets = try await offCooperativePool {
                try database.psql("SELECT string_agg(scope || '/' || key || ':' || time_window || ':' || coalesce(max_tokens::text, '-') || ':' || coalesce(max_usd::text, '-') || ':' || warn_at, ',' ORDER BY scope, key) FROM budgets")
            }
            #expect(budgets == "account/Acme:month:5000:1.5:0.9,global/all:total:9999:-:0.8")
        }
    }
}
