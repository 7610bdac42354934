import Foundation
import Metering
@testable import SQLiteLedger
import Testing

@Suite struct SQLiteLedgerRecoveryTests {
    let clock = ManualClock(Fixtures.t0)

    func meter(_ ledger: SQLiteLedger, maxAge: Double = 3_600) -> UsageMeter {
        UsageMeter(maxAgeSeconds: maxAge, ledger: ledger, clock: clock, retryInterval: .milliseconds(5))
    }

    func record(_ thread: String, _ input: Int, _ output: Int, run: String, account: String? = nil, model: String = "gpt-4o-mini") -> RunRecord {
        RunRecord(
            runId: run, threadId: thread, account: account, model: model,
            usage: TokenUsage(inputTokens: input, outputTokens: output), startedAt: clock.now() - 1, finishedAt: clock.now()
        )
    }

    @Test func afterReopen_recoveryShowsExactlyWhatClientsWereTold() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try SQLiteLedger.open(dir.file("l.sqlite"))
        let before = meter(first)
        var told: [String: ThreadUsageSnapshot] = [:]
        for i in 0..<30 {
            let thread = "thread_\(i % 4)"
            _ = await before.beginRun(threadId: thread, account: "Acct\(i % 4)")
            told[thread] = try await before.finishRun(record(thread, 100 + i, 50 + i, run: "run_\(i)", account: "Acct\(i % 4)"))
            clock.advance(by: 3)
        }
        let totalsBefore = try await before.totals()
        let topBefore = try await before.top(limit: 10)
        first.close()

        let second = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { second.close() }
        let after = meter(second)
        try await after.recover()
        for (thread, snapshot) in told {
            let recovered = try #require(try await after.snapshot(threadId: thread))
            #expect(recovered.usage == snapshot.usage)
            #expect(recovered.runs == snapshot.runs)
            #expect(recovered.lastActivity == snapshot.lastActivity)
            #expect(recovered.account == snapshot.account)
            #expect(abs((recovered.costUSD ?? 0) - (snapshot.costUSD ?? 0)) < 1e-12)
        }
        let totalsAfter = try await after.totals()
        #expect(totalsAfter.threads == totalsBefore.threads)
        #expect(totalsAfter.inputTokens == totalsBefore.inputTokens)
        #expect(totalsAfter.outputTokens == totalsBefore.outputTokens)
        #expect(try await after.top(limit: 10).map(\.threadId) == topBefore.map(\.threadId))
        // The next run continues from the recovered totals.
        let next = try await after.finishRun(record("thread_0", 1, 1, run: "run_next"))
        #expect(next.usage.totalTokens == told["thread_0"]!.usage.totalTokens + 2)
    }

    @Test func withoutClose_aSecondOpenSeesEveryAcknowledgedRun() async throws {
        // The first ledger is never closed (as after kill -9): what append acknowledged is on disk.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try SQLiteLedger.open(dir.file("l.sqlite"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<64 {
                group.addTask { try await first.append(Fixtures.record("t\(i % 8)", i, 1, run: "r\(i)", at: Fixtures.t0 + Double(i))) }
            }
            try await group.waitForAll()
        }
        let second = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { second.close(); first.close() }
        let threads = try await second.loadThreads(activeSince: 0)
        #expect(threads.reduce(0) { $0 + $1.runs } == 64)
        #expect(threads.reduce(0) { $0 + $1.usage.inputTokens } == (0..<64).reduce(0, +))
    }

    @Test func eviction_survivesRestart_andTheThreadRestartsFromZero() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try SQLiteLedger.open(dir.file("l.sqlite"))
        let before = meter(first, maxAge: 100)
        _ = try await before.finishRun(record("idle", 500, 500, run: "r1"))
        _ = try await before.finishRun(record("busy", 10, 10, run: "r2"))
        clock.advance(by: 60)
        _ = try await before.finishRun(record("busy", 10, 10, run: "r3"))
        clock.advance(by: 50)
        #expect(await before.evictIdle() == ["idle"])
        first.close()

        let second = try SQLiteLedger.open(dir.file("l.sqlite"))
        let restarted = meter(second, maxAge: 100)
        try await restarted.recover()
        #expect(try await restarted.snapshot(threadId: "idle") == nil)
        #expect(try await restarted.snapshot(threadId: "busy")?.usage.totalTokens == 40)
        // The client uses the evicted id again: it starts at zero, and stays so after another restart.
        _ = await restarted.beginRun(threadId: "idle", account: nil)
        #expect(try await restarted.finishRun(record("idle", 50, 30, run: "r4")).usage.totalTokens == 80)
        second.close()

        let third = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { third.close() }
        let again = meter(third, maxAge: 100)
        try await again.recover()
        #expect(try await again.snapshot(threadId: "idle")?.usage.totalTokens == 80)
        #expect(try await again.snapshot(threadId: "idle")?.runs == 1)
    }

    @Test func largeEviction_isWrittenInChunks() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = SQLiteLedger.Options()
        options.evictionChunk = 100
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"), options: options)
        defer { ledger.close() }
        let ids = (0..<1_050).map { "t\($0)" }
        try await ledger.append(contentsOf: ids.map { Fixtures.record($0, 1, 0, run: "r-\($0)", at: Fixtures.t0) })
        let before = ledger.statistics.transactions
        try await ledger.recordEviction(threadIds: ids, at: Fixtures.t0 + 1)
        #expect(ledger.statistics.transactions - before == 11)
        #expect(try await ledger.loadThreads(activeSince: 0).isEmpty)
    }
}
