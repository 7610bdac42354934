import Synchronization
import Telemetry
import Testing
import TestSupport
@testable import Metering

@Suite struct UsageMeterTests {
    let clock = ManualClock()
    let ledger = InMemoryLedger()
    /// What the retry loop sleeps on: retries happen when a test advances it.
    let timer = TestClock()

    func meter(maxAge: Double = 86_400, ledger: (any UsageLedger)? = nil, logger: Logger = .noop, maxPending: Int = 100) -> UsageMeter {
        UsageMeter(
            maxAgeSeconds: maxAge, ledger: ledger ?? self.ledger, clock: clock, logger: logger,
            retryInterval: .seconds(1), maxPendingWrites: maxPending, timerClock: timer
        )
    }

    func record(_ thread: String, _ input: Int, _ output: Int, model: String? = "gpt-4o-mini", run: String? = nil, account: String? = nil) -> RunRecord {
        RunRecord(
            runId: run ?? "run_\(thread)_\(input)_\(output)", threadId: thread, account: account, model: model,
            usage: TokenUsage(inputTokens: input, outputTokens: output), startedAt: clock.now() - 1, finishedAt: clock.now()
        )
    }

    /// Advances the retry timer until the meter reports healthy (false after `patience`).
    func retriedUntilHealthy(_ m: UsageMeter) async -> Bool {
        await eventually {
            timer.advance(by: .seconds(1))
            return m.isHealthy
        }
    }

    @Test func finishRun_returnsNewTotals_andStoresTheRowWithCostAndRecordTime() async throws {
        let m = meter()
        let before = await m.beginRun(threadId: "t", account: "Acme")
        #expect(before.usage == .zero)
        let after = try await m.finishRun(record("t", 89, 67, account: "Acme"))
        #expect(after.usage == TokenUsage(inputTokens: 89, outputTokens: 67))
        #expect(after.runs == 1)
        let row = try #require(ledger.records.first)
        #expect(abs((row.costUSD ?? 0) - 0.00005355) < 1e-15)
        #expect(row.recordedAt == clock.now())
        #expect(after.costUSD == row.costUSD)
        #expect(m.isHealthy)
    }

    @Test func seedExample_throughTheMeter() async throws {
        let m = meter()
        var shown: [Int] = []
        for (i, tokens) in [150, 200, 170].enumerated() {
            _ = await m.beginRun(threadId: "thread_a", account: nil)
            shown.append(try await m.finishRun(record("thread_a", tokens - 50, 50, run: "run_\(i)")).usage.totalTokens)
        }
        #expect(shown == [150, 350, 520])
        #expect(await m.beginRun(threadId: "thread_b", account: nil).usage == .zero)
        #expect(try await m.finishRun(record("thread_b", 60, 20)).usage.totalTokens == 80)
        #expect(try await m.snapshot(threadId: "thread_a")?.usage.totalTokens == 520)
    }

    @Test func ledgerRow_isCommittedBeforeTheRegistryCountsTheRun() async throws {
        let probe = ProbeLedger()
        let m = meter(ledger: probe)
        probe.registry.withLock { $0 = m.registry }
        _ = await m.beginRun(threadId: "t", account: nil)
        _ = try await m.finishRun(record("t", 10, 10))
        _ = try await m.finishRun(record("t", 5, 5))
        // What the registry showed while each row was being committed: the totals before that run.
        #expect(probe.seenDuringAppend.withLock { $0 } == [0, 20])
    }

    @Test func unknownModel_hasNullCost_andIsCountedAndLoggedOnce() async throws {
        let logs = MemoryLogSink()
        let m = meter(logger: Logger(label: "test", level: .info, sink: logs))
        let s = try await m.finishRun(record("t", 10, 10, model: "homegrown-7b"))
        _ = try await m.finishRun(record("t", 10, 10, model: "homegrown-7b", run: "r2"))
        #expect(s.costUSD == nil)
        #expect(ledger.records.allSatisfy { $0.costUSD == nil })
        #expect(m.unknownModelRuns == 2)
        #expect(logs.records.filter { $0.level == .warning && $0.message.contains("no price") }.count == 1)
        #expect(try await m.totals().costUSD == 0)
    }

    @Test func meterOverAGivenRegistry_accountsIntoIt() async throws {
        let registry = ThreadRegistry(maxAgeSeconds: 60, clock: clock)
        let m = UsageMeter(registry: registry, ledger: ledger, pricing: PricingTable(), clock: clock)
        _ = try await m.finishRun(record("t", 3, 4))
        #expect(await registry.snapshot(threadId: "t")?.usage.totalTokens == 7)
        #expect(m.pricing.source == PricingTable.builtIn.source)
    }

    @Test func reloadPricing_changesTheCostOfLaterRuns() async throws {
        let m = meter()
        var table = PricingTable.builtIn
        table.setPrice(ModelPrice(input: 1_000_000, output: 0), for: "gpt-4o-mini")
        m.reloadPricing(table)
        let s = try await m.finishRun(record("t", 2, 0))
        #expect(s.costUSD == 2)
        #expect(m.pricing.source == table.source)
    }

    @Test func failingLedger_stillCountsTheRun_throwsWithTotals_andRecoversByRetry() async throws {
        let m = meter()
        _ = try await m.finishRun(record("t", 10, 0, run: "r1"))
        ledger.failWrites = true
        do {
            _ = try await m.finishRun(record("t", 5, 0, run: "r2"))
            Issue.record("finishRun succeeded on a failing ledger")
        } catch {
            #expect(error.snapshot?.usage.inputTokens == 15)
            #expect(error.snapshot?.runs == 2)
            #expect(error.queuedForRetry)
        }
        #expect(!m.isHealthy)
        #expect(try await m.snapshot(threadId: "t")?.usage.inputTokens == 15)
        await timer.waitForSleepers()
        timer.advance(by: .seconds(1))
        await timer.waitForSleepers()
        #expect(!m.isHealthy, "still failing after a retry")
        #expect(m.pendingWrites == 1)
        ledger.failWrites = false
        #expect(await retriedUntilHealthy(m))
        #expect(ledger.records.map(\.runId) == ["r1", "r2"])
        #expect(m.pendingWrites == 0)
        // The recovered ledger rebuilds exactly what the clients were told.
        let restarted = meter()
        try await restarted.recover()
        #expect(try await restarted.snapshot(threadId: "t") == (try await m.snapshot(threadId: "t")))
    }

    @Test func fullRetryQueue_dropsTheRowButStillCountsIt() async throws {
        let m = meter(maxPending: 1)
        ledger.failWrites = true
        await #expect(throws: StorageError.self) { try await m.finishRun(self.record("t", 1, 0, run: "r1")) }
        let error = await #expect(throws: StorageError.self) { try await m.finishRun(self.record("t", 2, 0, run: "r2")) }
        #expect(error?.queuedForRetry == false)
        #expect(error?.snapshot?.usage.inputTokens == 3)
        #expect(m.droppedWrites == 1)
        ledger.failWrites = false
        #expect(await retriedUntilHealthy(m))
        #expect(ledger.records.map(\.runId) == ["r1"])
    }

    @Test func eviction_isRecorded_andRecoveryRestartsTheThreadFromZero() async throws {
        let m = meter(maxAge: 100)
        _ = try await m.finishRun(record("evicted", 500, 0))
        _ = try await m.finishRun(record("kept", 7, 0))
        clock.advance(by: 60)
        _ = try await m.finishRun(record("kept", 3, 0, run: "r-kept-2"))
        clock.advance(by: 50)
        #expect(await m.evictIdle() == ["evicted"])
        #expect(ledger.evictions.map(\.threadId) == ["evicted"])
        // The evicted id is used again: it starts from zero, and so does it after a restart.
        _ = await m.beginRun(threadId: "evicted", account: nil)
        #expect(try await m.finishRun(record("evicted", 80, 0, run: "r-again")).usage.totalTokens == 80)
        let restarted = meter(maxAge: 100)
        try await restarted.recover()
        #expect(try await restarted.snapshot(threadId: "evicted")?.usage.totalTokens == 80)
        #expect(try await restarted.snapshot(threadId: "kept") == (try await m.snapshot(threadId: "kept")))
        #expect(sameTotals(try await restarted.totals(), try await m.totals()))
    }

    @Test func recovery_skipsThreadsIdleBeyondTheEvictionWindow() async throws {
        let m = meter(maxAge: 100)
        _ = try await m.finishRun(record("stale", 1, 0))
        clock.advance(by: 150)
        _ = try await m.finishRun(record("fresh", 2, 0))
        let restarted = meter(maxAge: 100)
        try await restarted.recover()
        #expect(try await restarted.snapshot(threadId: "stale") == nil)
        #expect(try await restarted.snapshot(threadId: "fresh")?.usage.inputTokens == 2)
    }

    @Test func failedEvictionWrite_isRetried() async throws {
        let m = meter(maxAge: 10)
        _ = try await m.finishRun(record("t", 1, 0))
        clock.advance(by: 11)
        ledger.failWrites = true
        #expect(await m.evictIdle() == ["t"])
        #expect(!m.isHealthy)
        ledger.failWrites = false
        #expect(await retriedUntilHealthy(m))
        #expect(ledger.evictions.map(\.threadId) == ["t"])
    }

    @Test func concurrentRuns_areExact_inRegistryAndLedger() async throws {
        let m = meter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<50 {
                group.addTask {
                    for run in 0..<10 {
                        for thread in ["shared", "own-\(task)"] {
                            _ = await m.beginRun(threadId: thread, account: nil)
                            _ = try await m.finishRun(self.record(thread, run + 1, 1, run: "\(thread)-\(task)-\(run)"))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await m.snapshot(threadId: "shared")?.usage == TokenUsage(inputTokens: 50 * 55, outputTokens: 500))
        #expect(ledger.records.count == 1000)
        let totals = try await m.totals()
        #expect(totals.totalTokens == ledger.records.reduce(0) { $0 + $1.usage.totalTokens })
    }
}

/// A ledger that records what the registry showed for the thread while a row was being appended.
final class ProbeLedger: UsageLedger {
    let registry = Mutex<ThreadRegistry?>(nil)
    let seenDuringAppend = Mutex<[Int]>([])
    let inner = InMemoryLedger()

    var isHealthy: Bool { inner.isHealthy }

    func append(_ record: RunRecord) async throws {
        if let registry = registry.withLock({ $0 }) {
            let total = await registry.snapshot(threadId: record.threadId)?.usage.totalTokens ?? -1
            seenDuringAppend.withLock { $0.append(total) }
        }
        try await inner.append(record)
    }

    func recordEviction(threadIds: [String], at: Double) async throws {
        try await inner.recordEviction(threadIds: threadIds, at: at)
    }

    func loadThreads(activeSince: Double) async throws -> [ThreadUsageSnapshot] {
        try await inner.loadThreads(activeSince: activeSince)
    }

    func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket] {
        try await inner.usageHistory(since: since, until: until, groupBy: groupBy)
    }
}

/// Token counts exactly equal; costs equal up to floating-point summation order.
func sameTotals(_ a: UsageTotals, _ b: UsageTotals) -> Bool {
    a.threads == b.threads && a.inputTokens == b.inputTokens && a.outputTokens == b.outputTokens
        && abs(a.costUSD - b.costUSD) <= 1e-12 * max(1, abs(a.costUSD))
}
