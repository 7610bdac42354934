import Testing
@testable import Metering

@Suite struct ThreadRegistryTests {
    let clock = ManualClock()

    func registry(maxAge: Double = 86_400) -> ThreadRegistry {
        ThreadRegistry(maxAgeSeconds: maxAge, clock: clock)
    }

    func usage(_ input: Int, _ output: Int) -> TokenUsage { TokenUsage(inputTokens: input, outputTokens: output) }

    @Test func seedExample_runsOf150_200_170_accumulateTo150_350_520() async {
        let r = registry()
        var totals: [Int] = []
        for (input, output) in [(100, 50), (120, 80), (100, 70)] {
            let before = await r.beginRun(threadId: "thread_a", account: nil)
            let after = await r.completeRun(threadId: "thread_a", usage: usage(input, output))
            #expect(after.usage.totalTokens == before.usage.totalTokens + input + output)
            totals.append(after.usage.totalTokens)
        }
        #expect(totals == [150, 350, 520])
        #expect(await r.snapshot(threadId: "thread_a")?.runs == 3)
    }

    @Test func newThread_startsAtZero_andARunOf80Shows80() async {
        let r = registry()
        await r.completeRun(threadId: "thread_a", usage: usage(300, 220))
        let fresh = await r.beginRun(threadId: "thread_b", account: "Acme")
        #expect(fresh.usage == .zero)
        #expect(fresh.runs == 0)
        let after = await r.completeRun(threadId: "thread_b", usage: usage(50, 30))
        #expect(after.usage.totalTokens == 80)
        #expect(after.account == "Acme")
    }

    @Test func threadsAreIsolated() async {
        let r = registry()
        await r.completeRun(threadId: "a", usage: usage(10, 5))
        await r.completeRun(threadId: "b", usage: usage(1, 1))
        await r.completeRun(threadId: "a", usage: usage(10, 5))
        #expect(await r.snapshot(threadId: "a")?.usage == usage(20, 10))
        #expect(await r.snapshot(threadId: "b")?.usage == usage(1, 1))
        #expect(await r.snapshot(threadId: "c") == nil)
    }

    @Test func completeRun_keepsOnlyInputAndOutput_andTouchesLastActivity() async {
        let r = registry()
        await r.beginRun(threadId: "a", account: nil)
        clock.advance(by: 5)
        let s = await r.completeRun(threadId: "a", usage: TokenUsage(inputTokens: 10, outputTokens: 4, cachedInputTokens: 6, reasoningTokens: 2))
        #expect(s.usage == usage(10, 4))
        #expect(s.usage.cachedInputTokens == nil)
        #expect(s.lastActivity == clock.now())
    }

    @Test func costs_sumWhenKnown_andStayNilWhenNoneKnown() async {
        let r = registry()
        #expect(await r.completeRun(threadId: "a", usage: usage(1, 1), costUSD: nil).costUSD == nil)
        #expect(await r.completeRun(threadId: "a", usage: usage(1, 1), costUSD: 0.25).costUSD == 0.25)
        #expect(await r.completeRun(threadId: "a", usage: usage(1, 1), costUSD: 0.5).costUSD == 0.75)
        await r.completeRun(threadId: "b", usage: usage(1, 1), costUSD: 1)
        #expect(await r.totals().costUSD == 1.75)
    }

    @Test func totals_coverEveryThread_andAreExactUnderConcurrency() async {
        let r = registry()
        // 50 tasks × 10 runs: every task writes to a shared thread and to its own.
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<50 {
                group.addTask {
                    for run in 0..<10 {
                        let input = task + run + 1
                        await r.beginRun(threadId: "shared", account: nil)
                        await r.completeRun(threadId: "shared", usage: TokenUsage(inputTokens: input, outputTokens: 2))
                        await r.beginRun(threadId: "own-\(task)", account: nil)
                        await r.completeRun(threadId: "own-\(task)", usage: TokenUsage(inputTokens: input, outputTokens: 1), costUSD: 0.001)
                    }
                }
            }
        }
        var expectedShared = 0
        for task in 0..<50 { for run in 0..<10 { expectedShared += task + run + 1 } }
        let shared = await r.snapshot(threadId: "shared")
        #expect(shared?.usage == usage(expectedShared, 1000))
        #expect(shared?.runs == 500)
        for task in 0..<50 {
            let own = await r.snapshot(threadId: "own-\(task)")
            #expect(own?.usage.inputTokens == (0..<10).reduce(0) { $0 + task + $1 + 1 })
            #expect(own?.runs == 10)
        }
        let totals = await r.totals()
        let all = await r.top(limit: 1000)
        #expect(totals.threads == 51)
        #expect(all.count == 51)
        #expect(totals.inputTokens == all.reduce(0) { $0 + $1.usage.inputTokens })
        #expect(totals.outputTokens == all.reduce(0) { $0 + $1.usage.outputTokens })
        #expect(totals.totalTokens == 2 * expectedShared + 1000 + 500)
        #expect(abs(totals.costUSD - 0.5) < 1e-12)
    }

    @Test func top_ordersByTotalDescending_thenThreadIdAscending() async {
        let r = registry()
        await r.completeRun(threadId: "c", usage: usage(50, 0))
        await r.completeRun(threadId: "a", usage: usage(30, 20))
        await r.completeRun(threadId: "b", usage: usage(100, 0))
        await r.completeRun(threadId: "d", usage: usage(1, 0))
        await r.beginRun(threadId: "e", account: nil)
        #expect(await r.top(limit: 10).map(\.threadId) == ["b", "a", "c", "d", "e"])
        #expect(await r.top(limit: 2).map(\.threadId) == ["b", "a"])
        #expect(await r.top(limit: 0).isEmpty)
        // A run moves a thread up.
        await r.completeRun(threadId: "d", usage: usage(0, 200))
        #expect(await r.top(limit: 3).map(\.threadId) == ["d", "b", "a"])
    }

    @Test func overview_returnsTotalsAndTopFromTheSameInstant() async {
        let r = registry()
        await r.completeRun(threadId: "a", usage: usage(1, 1))
        await r.completeRun(threadId: "b", usage: usage(5, 5))
        let (totals, top) = await r.overview(limit: 1)
        #expect(totals == UsageTotals(threads: 2, inputTokens: 6, outputTokens: 6, costUSD: 0))
        #expect(top.map(\.threadId) == ["b"])
    }

    @Test func abortRun_endsTheRunWithoutUsage_andIgnoresUntrackedThreads() async {
        let r = registry()
        await r.beginRun(threadId: "a", account: nil)
        await r.abortRun(threadId: "a")
        await r.abortRun(threadId: "never-seen")
        let s = await r.snapshot(threadId: "a")
        #expect(s?.usage == .zero)
        #expect(s?.runs == 0)
        #expect(await r.count == 1)
    }

    @Test func restore_loadsSnapshots_andTotalsIncludeThem() async {
        let r = registry()
        let restored = [
            ThreadUsageSnapshot(threadId: "x", usage: usage(5, 5), runs: 2, lastActivity: clock.now() - 10, account: "Acme", costUSD: 0.01),
            ThreadUsageSnapshot(threadId: "y", usage: usage(1, 0), runs: 1, lastActivity: clock.now() - 20),
        ]
        await r.restore(restored)
        #expect(await r.snapshot(threadId: "x") == restored[0])
        #expect(await r.snapshot(threadId: "y") == restored[1])
        #expect(await r.totals() == UsageTotals(threads: 2, inputTokens: 6, outputTokens: 5, costUSD: 0.01))
        let next = await r.completeRun(threadId: "x", usage: usage(1, 1))
        #expect(next.usage == usage(6, 6))
        #expect(next.runs == 3)
    }
}
