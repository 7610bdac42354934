import Foundation
import Metering
@testable import SQLiteLedger
import Testing

@Suite struct SQLiteLedgerFailedRunTests {
    let clock = ManualClock(Fixtures.t0)

    func record(_ run: String, status: String, input: Int, output: Int) -> RunRecord {
        var r = RunRecord(runId: run, threadId: "thread_f", account: nil, model: "gpt-4o-mini",
                          usage: TokenUsage(inputTokens: input, outputTokens: output), startedAt: clock.now() - 1, finishedAt: clock.now())
        r.status = RunStatus(rawValue: status) ?? .broken
        return r
    }

    /// A failed run that reported no usage gets a row but is not a run of the thread, live and after a restart alike.
    @Test func failedRunWithoutUsageHasARowButIsNotCountedLiveOrAfterRestart() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try SQLiteLedger.open(dir.file("l.sqlite"))
        let live = UsageMeter(maxAgeSeconds: 3_600, ledger: first, clock: clock)
        for (run, status, input, output) in [("r1", "completed", 10, 5), ("r2", "failed", 0, 0), ("r3", "failed", 3, 0)] {
            _ = await live.beginRun(threadId: "thread_f", account: nil)
            _ = try await live.finishRun(record(run, status: status, input: input, output: output))
            clock.advance(by: 1)
        }
        let before = try #require(try await live.snapshot(threadId: "thread_f"))
        #expect(before.runs == 2)
        #expect(before.usage == TokenUsage(inputTokens: 13, outputTokens: 5))
        let history = try await first.usageHistory(since: nil, until: nil, groupBy: .model)
        #expect(history.first?.runs == 3, "every run has a ledger row")
        first.close()

        let second = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { second.close() }
        let recovered = UsageMeter(maxAgeSeconds: 3_600, ledger: second, clock: clock)
        try await recovered.recover()
        let after = try #require(try await recovered.snapshot(threadId: "thread_f"))
        #expect(after.runs == before.runs)
        #expect(after.usage == before.usage)
    }
}
