import Testing
@testable import Metering

/// `UsageMeter.settle`: the one place a run is priced, stored and counted.
@Suite struct UsageMeterSettleTests {
    let clock = ManualClock()

    func record(_ status: RunStatus, _ input: Int, _ output: Int, model: String? = "gpt-4o-mini") -> RunRecord {
        RunRecord(runId: "run_\(status)_\(input)", threadId: "t", model: model, usage: TokenUsage(inputTokens: input, outputTokens: output),
                  status: status, startedAt: clock.now() - 1, finishedAt: clock.now())
    }

    @Test func aCountingRunIsPricedStoredAndAddedToItsThread() async {
        let ledger = InMemoryLedger()
        let meter = UsageMeter(maxAgeSeconds: 3_600, ledger: ledger, clock: clock)
        _ = await meter.beginRun(threadId: "t", account: nil)
        let settled = await meter.settle(record(.completed, 89, 67))
        #expect(settled.storageFailure == nil)
        #expect(settled.record.costUSD != nil)
        #expect(settled.record.recordedAt == clock.now())
        #expect(ledger.records == [settled.record], "the returned record is the stored row")
        #expect(settled.thread.usage == TokenUsage(inputTokens: 89, outputTokens: 67))
        #expect(settled.thread.runs == 1)
    }

    @Test func aFailedRunWithoutUsageIsStoredButNeitherPricedNorCounted() async {
        let ledger = InMemoryLedger()
        let meter = UsageMeter(maxAgeSeconds: 3_600, ledger: ledger, clock: clock)
        _ = await meter.beginRun(threadId: "t", account: nil)
        let settled = await meter.settle(record(.failed, 0, 0, model: nil))
        #expect(!settled.record.countsAsRun)
        #expect(settled.record.costUSD == nil)
        #expect(meter.unknownModelRuns == 0, "a run that does not count is not an unpriced run")
        #expect(ledger.records.count == 1)
        #expect(settled.thread.runs == 0)
    }

    @Test func aFailedWriteIsReportedNotThrownAndTheRunStillCounts() async {
        let ledger = InMemoryLedger()
        ledger.failWrites = true
        let meter = UsageMeter(maxAgeSeconds: 3_600, ledger: ledger, clock: clock, retryInterval: .seconds(60))
        _ = await meter.beginRun(threadId: "t", account: nil)
        let settled = await meter.settle(record(.completed, 10, 5))
        #expect(settled.storageFailure?.queuedForRetry == true)
        #expect(settled.thread.usage.totalTokens == 15)
        #expect(!meter.isHealthy)
    }
}
