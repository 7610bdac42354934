import Testing
@testable import Metering

@Suite struct ThreadRegistryEvictionTests {
    let clock = ManualClock()

    func usage(_ total: Int) -> TokenUsage { TokenUsage(inputTokens: total, outputTokens: 0) }

    @Test func threadsIdlePastMaxAge_areEvicted_othersStay() async {
        let r = ThreadRegistry(maxAgeSeconds: 100, clock: clock)
        await r.completeRun(threadId: "old", usage: usage(10))
        clock.advance(by: 60)
        await r.completeRun(threadId: "recent", usage: usage(20))
        clock.advance(by: 50) // old idle 110 s, recent 50 s
        #expect(await r.evictIdle() == ["old"])
        #expect(await r.snapshot(threadId: "old") == nil)
        #expect(await r.snapshot(threadId: "recent") != nil)
        #expect(await r.totals() == UsageTotals(threads: 1, inputTokens: 20, outputTokens: 0, costUSD: 0))
    }

    @Test func exactlyMaxAgeIdle_isNotYetEvicted() async {
        let r = ThreadRegistry(maxAgeSeconds: 100, clock: clock)
        await r.completeRun(threadId: "a", usage: usage(1))
        clock.advance(by: 100)
        #expect(await r.evictIdle().isEmpty)
        clock.advance(by: 0.001)
        #expect(await r.evictIdle() == ["a"])
    }

    @Test func threadWithRunInFlight_isNeverEvicted() async {
        let r = ThreadRegistry(maxAgeSeconds: 100, clock: clock)
        await r.beginRun(threadId: "busy", account: nil)
        await r.beginRun(threadId: "busy", account: nil) // two concurrent runs
        clock.advance(by: 1_000)
        #expect(await r.evictIdle().isEmpty)
        await r.completeRun(threadId: "busy", usage: usage(5))
        clock.advance(by: 1_000)
        #expect(await r.evictIdle().isEmpty, "one run is still in flight")
        await r.abortRun(threadId: "busy")
        #expect(await r.evictIdle().isEmpty, "the abort just touched it")
        clock.advance(by: 101)
        #expect(await r.evictIdle() == ["busy"])
    }

    @Test func reusingAnEvictedThreadId_startsFromZero() async {
        let r = ThreadRegistry(maxAgeSeconds: 10, clock: clock)
        await r.completeRun(threadId: "t", usage: usage(500))
        clock.advance(by: 11)
        #expect(await r.evictIdle() == ["t"])
        let again = await r.beginRun(threadId: "t", account: nil)
        #expect(again.usage == .zero)
        #expect(again.runs == 0)
        #expect(await r.completeRun(threadId: "t", usage: usage(80)).usage.totalTokens == 80)
    }

    @Test func evictionOrder_followsLastActivity_notCreationOrder() async {
        let r = ThreadRegistry(maxAgeSeconds: 100, clock: clock)
        for id in ["a", "b", "c"] {
            await r.completeRun(threadId: id, usage: usage(1))
            clock.advance(by: 10)
        }
        await r.completeRun(threadId: "a", usage: usage(1)) // a becomes the most recent
        clock.advance(by: 85) // b idle 105, c idle 95, a idle 85
        #expect(await r.evictIdle() == ["b"])
        clock.advance(by: 10)
        #expect(await r.evictIdle() == ["c"])
        clock.advance(by: 10)
        #expect(await r.evictIdle() == ["a"])
    }

    @Test func aClockSetBackwards_stillEvictsByActualLastActivity() async {
        let r = ThreadRegistry(maxAgeSeconds: 100, clock: clock)
        let start = clock.now()
        await r.completeRun(threadId: "late", usage: usage(1))
        clock.set(start - 50)
        await r.completeRun(threadId: "early", usage: usage(1))
        clock.set(start + 60) // early idle 110, late idle 60
        #expect(await r.evictIdle() == ["early"])
    }

    @Test func largeSweep_evictsEveryIdleThreadAcrossBatches_andKeepsTotalsExact() async {
        let r = ThreadRegistry(maxAgeSeconds: 100, clock: clock, evictionBatchSize: 64)
        for i in 0..<1_000 {
            await r.completeRun(threadId: "old-\(i)", usage: usage(i))
        }
        clock.advance(by: 50)
        for i in 0..<10 {
            await r.completeRun(threadId: "new-\(i)", usage: usage(1), costUSD: 0.1)
        }
        clock.advance(by: 60)
        let evicted = await r.evictIdle()
        #expect(evicted.count == 1_000)
        #expect(Set(evicted).count == 1_000)
        #expect(await r.count == 10)
        let totals = await r.totals()
        #expect(totals.totalTokens == 10)
        #expect(abs(totals.costUSD - 1.0) < 1e-12)
        #expect(await r.top(limit: 100).count == 10)
    }

    @Test func evictingEverything_resetsCostToExactlyZero() async {
        let r = ThreadRegistry(maxAgeSeconds: 1, clock: clock)
        for i in 0..<100 { await r.completeRun(threadId: "t\(i)", usage: usage(1), costUSD: 0.1) }
        clock.advance(by: 2)
        #expect(await r.evictIdle().count == 100)
        #expect(await r.totals() == UsageTotals(threads: 0, inputTokens: 0, outputTokens: 0, costUSD: 0))
    }
}

@Suite struct PublishedTotalsTests {
    @Test func latestTotalsFollowEveryMutationWithoutAnActorHop() async {
        let clock = ManualClock(1_000)
        let registry = ThreadRegistry(maxAgeSeconds: 100, clock: clock)
        #expect(registry.latestTotals.threads == 0)
        await registry.beginRun(threadId: "t1")
        #expect(registry.latestTotals.threads == 1)
        await registry.completeRun(threadId: "t1", usage: TokenUsage(inputTokens: 5, outputTokens: 7))
        #expect(registry.latestTotals == (await registry.totals()))
        #expect(registry.latestTotals.totalTokens == 12)
        clock.advance(by: 200)
        _ = await registry.evictIdle()
        #expect(registry.latestTotals.threads == 0)
        await registry.restore([ThreadUsageSnapshot(threadId: "t2", usage: TokenUsage(inputTokens: 1, outputTokens: 1), runs: 1, lastActivity: 1_200)])
        #expect(registry.latestTotals == (await registry.totals()))
    }
}
