import Testing
@testable import Metering

@Suite struct LedgerAggregationTests {
    static let day1 = 1_735_689_600.0 // 2025-01-01T00:00:00Z

    static func record(_ thread: String, account: String?, model: String?, tokens: (Int, Int), cost: Double?, at: Double) -> RunRecord {
        RunRecord(
            runId: "run_\(thread)_\(at)", threadId: thread, account: account, model: model,
            usage: TokenUsage(inputTokens: tokens.0, outputTokens: tokens.1), costUSD: cost,
            startedAt: at - 1, finishedAt: at
        )
    }

    static let records = [
        record("t1", account: "Acme", model: "gpt-4o", tokens: (10, 5), cost: 0.5, at: day1 + 10),
        record("t1", account: "Acme", model: "gpt-4o", tokens: (20, 5), cost: 0.25, at: day1 + 86_399),
        record("t2", account: "Beta", model: "mystery", tokens: (7, 3), cost: nil, at: day1 + 86_400),
        record("t3", account: nil, model: nil, tokens: (1, 1), cost: nil, at: day1 + 2 * 86_400 + 5),
    ]

    @Test func history_groupsByAccount_withEmptyKeyForNone() {
        let buckets = LedgerAggregation.history(records: Self.records, since: nil, until: nil, groupBy: .account)
        #expect(buckets == [
            UsageBucket(key: "", runs: 1, inputTokens: 1, outputTokens: 1, costUSD: 0, unpricedRuns: 1),
            UsageBucket(key: "Acme", runs: 2, inputTokens: 30, outputTokens: 10, costUSD: 0.75),
            UsageBucket(key: "Beta", runs: 1, inputTokens: 7, outputTokens: 3, costUSD: 0, unpricedRuns: 1),
        ])
    }

    @Test func history_groupsByUTCDay_withinSinceUntil() {
        let buckets = LedgerAggregation.history(records: Self.records, since: Self.day1 + 11, until: Self.day1 + 2 * 86_400 + 5, groupBy: .day)
        #expect(buckets.map(\.key) == ["2025-01-01", "2025-01-02"])
        #expect(buckets.map(\.totalTokens) == [25, 10])
    }

    @Test func history_groupsByModel() {
        let buckets = LedgerAggregation.history(records: Self.records, since: nil, until: nil, groupBy: .model)
        #expect(buckets.map(\.key) == ["", "gpt-4o", "mystery"])
        #expect(buckets.map(\.runs) == [1, 2, 1])
    }

    @Test func threads_sumRowsAfterTheLastEviction_andSkipInactiveThreads() {
        var records = Self.records
        records.append(Self.record("t1", account: nil, model: "gpt-4o", tokens: (100, 100), cost: 1, at: Self.day1 + 3 * 86_400))
        let evictions = [(threadId: "t1", at: Self.day1 + 2 * 86_400)]
        let threads = LedgerAggregation.threads(records: records, evictions: evictions, activeSince: Self.day1 + 86_400)
            .sorted { $0.threadId < $1.threadId }
        #expect(threads.map(\.threadId) == ["t1", "t2", "t3"])
        #expect(threads[0].usage == TokenUsage(inputTokens: 100, outputTokens: 100))
        #expect(threads[0].runs == 1)
        #expect(threads[0].account == nil)
        #expect(threads[1].costUSD == nil)
        let none = LedgerAggregation.threads(records: records, evictions: evictions, activeSince: Self.day1 + 4 * 86_400)
        #expect(none.isEmpty)
    }

    @Test func utcDay_formatsUnixSeconds() {
        #expect(UTCDay.string(from: 0) == "1970-01-01")
        #expect(UTCDay.string(from: Self.day1 - 0.5) == "2024-12-31")
        #expect(UTCDay.string(from: 1_706_745_600) == "2024-02-01")
    }
}
