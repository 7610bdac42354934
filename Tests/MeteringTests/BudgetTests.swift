import Metering
import Testing

/// Budget rules of contract §9 that need no HTTP: windows, standings, which budgets apply, and use
/// summed from the ledger, on an in-memory ledger under a manual clock.
@Suite struct BudgetTests {
    // 2024-01-31T23:59:59Z and friends.
    static let jan31Late = 1_706_745_599.0
    static let feb1 = 1_706_745_600.0
    static let mar1 = 1_709_251_200.0
    static let dec15 = 1_734_220_800.0  // 2024-12-15T00:00:00Z
    static let jan1_2025 = 1_735_689_600.0

    @Test func windows_cutAtUTCDayAndMonth_andTotalNeverResets() {
        #expect(BudgetWindow.day.start(at: Self.jan31Late) == Self.feb1 - 86_400)
        #expect(BudgetWindow.day.resetsAt(after: Self.jan31Late) == Self.feb1)
        #expect(BudgetWindow.day.start(at: Self.feb1) == Self.feb1)
        #expect(BudgetWindow.day.resetsAt(after: Self.feb1) == Self.feb1 + 86_400)
        #expect(BudgetWindow.month.start(at: Self.jan31Late) == 1_704_067_200)
        #expect(BudgetWindow.month.resetsAt(after: Self.jan31Late) == Self.feb1)
        // February 2024 has 29 days.
        #expect(BudgetWindow.month.resetsAt(after: Self.feb1 + 10) == Self.mar1)
        // December rolls into the next year.
        #expect(BudgetWindow.month.resetsAt(after: Self.dec15) == Self.jan1_2025)
        // 2024-12-31T00:00:05Z: the day ends with the year.
        #expect(BudgetWindow.day.resetsAt(after: Self.dec15 + 16 * 86_400 + 5) == Self.jan1_2025)
        #expect(BudgetWindow.total.start(at: Self.feb1) == nil)
        #expect(BudgetWindow.total.resetsAt(after: Self.feb1) == nil)
    }

    @Test func standing_remainingNeverNegative_exhaustedAtTheLimit_warningAtWarnAt() {
        let budget = Budget(scope: .account, key: "Acme", window: .total, maxTokens: 100, maxUSD: 1.0, warnAt: 0.5)
        var s = BudgetStanding(budget: budget, use: BudgetUse(tokens: 49, usd: 0.1), resetsAt: nil)
        #expect(!s.isWarning && !s.isExhausted)
        #expect(s.remainingTokens == 51)
        s.use.tokens = 50
        #expect(s.isWarning && !s.isExhausted)
        s.use.tokens = 100
        #expect(s.isExhausted)
        #expect(s.remainingTokens == 0)
        s.use.tokens = 250
        #expect(s.remainingTokens == 0)
        #expect(s.remainingShare == 0)
        // The cost limit alone also exhausts it.
        s.use = BudgetUse(tokens: 0, usd: 1.0)
        #expect(s.isExhausted)
        #expect(s.remainingUSD == 0)
        // Unset limits are nil.
        let tokensOnly = BudgetStanding(budget: Budget(scope: .global, key: "all", window: .day, maxTokens: 10), use: .zero, resetsAt: 5)
        #expect(tokensOnly.remainingUSD == nil)
        #expect(tokensOnly.retryAfterSeconds(now: 4.2) == 1)
        #expect(tokensOnly.retryAfterSeconds(now: -100) == 105)
    }

    @Test func shownBudget_isTheLeastRemainingShare_tiesGoThreadAccountGlobal() {
        func standing(_ scope: BudgetScope, used: Int, max: Int) -> BudgetStanding {
            BudgetStanding(budget: Budget(scope: scope, key: scope == .global ? "all" : "*", window: .total, maxTokens: max),
                           use: BudgetUse(tokens: used), resetsAt: nil)
        }
        let list = [standing(.global, used: 50, max: 100), standing(.account, used: 10, max: 20), standing(.thread, used: 1, max: 10)]
        // Shares 0.5 (global), 0.5 (account), 0.9 (thread): the tie goes to the account.
        #expect(list.tightest?.budget.scope == .account)
        #expect([standing(.global, used: 50, max: 100), standing(.account, used: 10, max: 20)].tightest?.budget.scope == .account)
        #expect([standing(.global, used: 90, max: 100), standing(.thread, used: 1, max: 10)].tightest?.budget.scope == .global)
        #expect([standing(.global, used: 5, max: 10), standing(.thread, used: 5, max: 10), standing(.account, used: 5, max: 10)]
            .tightest?.budget.scope == .thread)
        // Several used up: the first in the order thread, account, global is the one refusing.
        #expect([standing(.global, used: 10, max: 10), standing(.account, used: 30, max: 20)].firstExhausted?.budget.scope == .account)
        #expect([standing(.global, used: 10, max: 10), standing(.thread, used: 9, max: 10)].firstExhausted?.budget.scope == .global)
    }

    static func record(_ run: String, thread: String, account: String?, tokens: Int, cost: Double?, at: Double,
                       status: RunStatus = .completed) -> RunRecord {
        RunRecord(runId: run, threadId: thread, account: account, model: "m", usage: TokenUsage(inputTokens: tokens / 2, outputTokens: tokens - tokens / 2),
                  status: status, costUSD: cost, startedAt: at, finishedAt: at, recordedAt: at)
    }

    static func book(_ records: [RunRecord], _ budgets: [Budget], clock: ManualClock) async throws -> (BudgetBook, LocalUsageStore) {
        let ledger = InMemoryLedger(records: records)
        let store = LocalUsageStore(registry: ThreadRegistry(maxAgeSeconds: 3_600, clock: clock), ledger: ledger, clock: clock)
        for budget in budgets { try await store.putBudget(budget) }
        return (BudgetBook(store: store), store)
    }

    @Test func applicable_ownBudgetBeatsDefault_noAccountMeansNoAccountBudget_globalAlways() async throws {
        let clock = ManualClock(Self.feb1 + 3_600)
        let (book, _) = try await Self.book([
            Self.record("r1", thread: "t1", account: "Acme", tokens: 100, cost: 0.5, at: Self.feb1 + 10),
            Self.record("r2", thread: "t2", account: "Acme", tokens: 40, cost: nil, at: Self.feb1 + 20),
            Self.record("r3", thread: "t3", account: "Other", tokens: 7, cost: 0.01, at: Self.feb1 + 30),
        ], [
            Budget(scope: .thread, key: "*", window: .day, maxTokens: 1_000),
            Budget(scope: .thread, key: "t1", window: .day, maxTokens: 500),
            Budget(scope: .account, key: "*", window: .month, maxUSD: 10),
            Budget(scope: .account, key: "Acme", window: .month, maxTokens: 1_000_000),
            Budget(scope: .global, key: "all", window: .total, maxTokens: 10_000),
        ], clock: clock)

        let t1 = try await book.applicable(threadId: "t1", account: "Acme").standings
        #expect(t1.map { "\($0.budget.scope.rawValue)/\($0.budget.key)" } == ["thread/t1", "account/Acme", "global/all"])
        #expect(t1.map(\.use.tokens) == [100, 140, 147])
        #expect(t1[1].use.unpricedRuns == 1)
        #expect(t1[1].use.usd == 0.5)
        #expect(t1[0].resetsAt == Self.feb1 + 86_400)
        #expect(t1[2].resetsAt == nil)

        let t2 = try await book.applicable(threadId: "t2", account: nil).standings
        #expect(t2.map { "\($0.budget.scope.rawValue)/\($0.budget.key)" } == ["thread/*", "global/all"])
        // On a query a `*` budget counts the thread's own use.
        #expect(t2[0].use.tokens == 40)

        let other = try await book.applicable(threadId: nil, account: "Other").standings
        #expect(other.map { "\($0.budget.scope.rawValue)/\($0.budget.key)" } == ["thread/*", "account/*", "global/all"])
        #expect(other.map(\.use.tokens) == [0, 7, 147])

        // Through the admin listing a `*` budget sums everything it covers (not the ones with their own).
        let listing = try await book.listing().standings
        let byName = Dictionary(uniqueKeysWithValues: listing.map { ("\($0.budget.scope.rawValue)/\($0.budget.key)", $0.use.tokens) })
        #expect(byName == ["thread/*": 47, "thread/t1": 100, "account/*": 7, "account/Acme": 140, "global/all": 147])
    }

    @Test func use_followsTheWindow_rollsOverWithTheClock_andIgnoresRunsThatDoNotCount() async throws {
        let clock = ManualClock(Self.jan31Late - 100)
        let (book, store) = try await Self.book([
            Self.record("old", thread: "t", account: "Acme", tokens: 1_000, cost: 1, at: Self.feb1 - 40 * 86_400),
            Self.record("jan31", thread: "t", account: "Acme", tokens: 30, cost: 0.3, at: Self.jan31Late - 200),
            // A failed run that reported nothing: a ledger row, but not a run.
            Self.record("failed", thread: "t", account: "Acme", tokens: 0, cost: nil, at: Self.jan31Late - 150, status: .failed),
            // A failed run that reported usage counts.
            Self.record("partial", thread: "t", account: "Acme", tokens: 4, cost: nil, at: Self.jan31Late - 120, status: .failed),
        ], [
            Budget(scope: .account, key: "Acme", window: .day, maxTokens: 50),
            Budget(scope: .global, key: "all", window: .month, maxTokens: 10_000),
        ], clock: clock)
        var s = try await book.applicable(threadId: "t", account: "Acme").standings
        #expect(s.map(\.use.tokens) == [34, 34])
        #expect(s[0].use.unpricedRuns == 1)
        #expect(s[0].remainingTokens == 16)
        clock.set(Self.feb1)
        s = try await book.applicable(threadId: "t", account: "Acme").standings
        #expect(s.map(\.use.tokens) == [0, 0])
        #expect(s[0].resetsAt == Self.feb1 + 86_400)
        #expect(s[1].resetsAt == Self.mar1)
        // Eviction does not reset budget use: it comes from the ledger.
        _ = await store.evictIdle()
        clock.set(Self.jan31Late - 1)
        s = try await book.applicable(threadId: "t", account: "Acme").standings
        #expect(s.map(\.use.tokens) == [34, 34])
    }

    @Test func putReplaces_deleteReportsWhetherItExisted() async throws {
        let clock = ManualClock()
        let (book, store) = try await Self.book([], [Budget(scope: .account, key: "Acme", window: .day, maxTokens: 5, maxUSD: 2, warnAt: 0.5)], clock: clock)
        try await store.putBudget(Budget(scope: .account, key: "Acme", window: .month, maxUSD: 3))
        let found = try #require(try await book.standing(scope: .account, key: "Acme")).standing.budget
        #expect(found == Budget(scope: .account, key: "Acme", window: .month, maxUSD: 3))
        #expect(try await store.deleteBudget(scope: .account, key: "Acme"))
        #expect(try await !store.deleteBudget(scope: .account, key: "Acme"))
        #expect(try await book.standing(scope: .account, key: "Acme") == nil)
        #expect(try await book.applicable(threadId: "x", account: "Acme").standings.isEmpty)
    }
}
