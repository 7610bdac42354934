import Foundation
import Metering
import SQLiteLedger
import Testing
@testable import ThreadMeterApp

/// Budget enforcement over HTTP (contract §9): refusal before the upstream with 429, the budget
/// object and Retry-After; `budget` on the run's events; order and choice of the budget shown;
/// windows rolling over on the meter's clock; exact use under concurrency and after a restart.
@Suite struct BudgetEnforcementTests {
    /// 2026-01-01T01:00:00Z: Retry-After of a day budget is 23 hours.
    static let start = 1_767_225_600.0 + 3_600

    @Test func usedUpBudget_refusesBeforeTheUpstream_with429_budgetAndRetryAfter() async throws {
        let upstream = ScriptedUpstream([])  // every run: 10 + 5 tokens
        let clock = ManualClock(Self.start)
        try await withTestApp(upstream: upstream, clock: clock) { app in
            try await app.setBudget("account/Acme", #"{"window":"day","max_tokens":20,"warn_at":0.5}"#)

            let first = try await app.streamedQuery(account: "Acme")
            #expect(first.status == 200)
            let before = try #require(first.info?.budget)
            #expect(before["key"] as? String == "Acme")
            #expect(before["used_tokens"] as? Int == 0)
            #expect(before["remaining_tokens"] as? Int == 20)
            #expect(before["warning"] == nil)
            let after = try #require(first.last?.budget)
            #expect(first.last?.type == "stream_complete")
            #expect(after["used_tokens"] as? Int == 15)
            #expect(after["remaining_tokens"] as? Int == 5)
            #expect(after["warning"] as? Bool == true)
            #expect(app.logEvents("budget_warning").count == 1)

            // Not used up yet (15 < 20): admitted, and counted in full (overshoot by what it spends).
            let second = try await app.streamedQuery(account: "Acme")
            #expect(second.status == 200)
            #expect(second.info?.budget?["warning"] as? Bool == true)
            #expect(second.last?.budget?["used_tokens"] as? Int == 30)
            #expect(second.last?.budget?["remaining_tokens"] as? Int == 0)
            #expect(app.logEvents("budget_warning").count == 1, "the warning is logged when crossed, not on every run")

            let refused = try await app.streamedQuery(account: "Acme")
            #expect(refused.status == 429)
            #expect(refused.response.header("Retry-After") == "82800")
            let error = try #require(refused.response.errorObject)
            #expect(error["code"] as? String == "budget_exceeded")
            #expect((error["message"] as? String)?.contains("Acme") == true)
            let budget = try #require(error["budget"] as? [String: Any])
            #expect(budget["scope"] as? String == "account")
            #expect(budget["used_tokens"] as? Int == 30)
            #expect(budget["remaining_tokens"] as? Int == 0)
            #expect(budget["resets_at"] as? Int == Int(Self.start) - 3_600 + 86_400)
            #expect(upstream.requests.withLock { $0.count } == 2, "nothing reached the upstream")
            #expect(app.logEvents("budget_exceeded").count == 1)

            // Not streamed either.
            let plain = try await app.query(["query": "q", "accountName": "Acme", "stream": false])
            #expect(plain.status == 429)
            // Another account, or none, is not affected.
            #expect(try await app.streamedQuery(account: "Beta").status == 200)
            #expect(try await app.streamedQuery().status == 200)
            #expect(try await app.metric(#"threadmeter_budget_rejections_total{scope="account"}"#) == 2)
            #expect(try await app.metric(#"threadmeter_budget_rejections_total{scope="thread"}"#) == 0)

            // The next UTC day is a new window.
            clock.set(Self.start - 3_600 + 86_400)
            let nextDay = try await app.query(["query": "q", "accountName": "Acme", "stream": false])
            #expect(nextDay.status == 200)
            let json = try nextDay.json
            let shown = try #require(json["budget"] as? [String: Any])
            #expect(shown["used_tokens"] as? Int == 15)
            #expect(shown["resets_at"] as? Int == Int(Self.start) - 3_600 + 2 * 86_400)
        }
    }

    @Test func severalUsedUp_theFirstOfThreadAccountGlobalIsShown_andCountedOnce() async throws {
        let upstream = ScriptedUpstream([])
        try await withTestApp(upstream: upstream) { app in
            let seed = try await app.streamedQuery(account: "Acme")
            let thread = try #require(seed.info?.data["thread_id"] as? String)
            try await app.setBudget("thread/\(thread)", #"{"window":"total","max_tokens":10}"#)
            try await app.setBudget("account/Acme", #"{"window":"total","max_tokens":10}"#)
            try await app.setBudget("global/all", #"{"window":"total","max_tokens":10}"#)

            let onThread = try await app.streamedQuery(thread: thread, account: "Acme")
            #expect(onThread.status == 429)
            #expect((onThread.response.errorObject?["budget"] as? [String: Any])?["scope"] as? String == "thread")
            #expect(onThread.response.header("Retry-After") == nil, "a total budget never resets")
            let onAccount = try await app.streamedQuery(account: "Acme")
            #expect((onAccount.response.errorObject?["budget"] as? [String: Any])?["scope"] as? String == "account")
            let onGlobal = try await app.streamedQuery()
            #expect((onGlobal.response.errorObject?["budget"] as? [String: Any])?["scope"] as? String == "global")
            for scope in ["thread", "account", "global"] {
                #expect(try await app.metric("threadmeter_budget_rejections_total{scope=\"\(scope)\"}") == 1)
            }
            #expect(upstream.requests.withLock { $0.count } == 1)
            // No account or thread id in any label.
            let metrics = try await app.request("GET", "/metrics").text
            #expect(!metrics.contains("Acme"))
            #expect(!metrics.contains(thread))
        }
    }

    @Test func shownBudget_isTheLeastRemainingShare_beforeAndAfterTheRun() async throws {
        try await withTestApp(upstream: ScriptedUpstream([])) { app in
            try await app.setBudget("thread/*", #"{"window":"day","max_tokens":1000}"#)
            try await app.setBudget("account/*", #"{"window":"day","max_tokens":100}"#)
            try await app.setBudget("global/all", #"{"window":"day","max_tokens":40}"#)
            let run = try await app.streamedQuery(account: "Acme")
            // Before: every share is 1, the tie goes to the thread.
            #expect(run.info?.budget?["scope"] as? String == "thread")
            #expect(run.info?.budget?["key"] as? String == "*")
            // After: thread 985/1000, account 85/100, global 25/40 → global.
            #expect(run.last?.budget?["scope"] as? String == "global")
            #expect(run.last?.budget?["used_tokens"] as? Int == 15)
            // Without budgets nothing is added.
            for path in ["thread/*", "account/*", "global/all"] {
                #expect(try await app.request("DELETE", "/admin/budgets/\(path)").status == 204)
            }
            let plain = try await app.streamedQuery(account: "Acme")
            #expect(plain.info?.data["budget"] == nil)
            #expect(plain.last?.data["budget"] == nil)
        }
    }

    @Test func unpricedRuns_areCounted_andAddNothingToUsedUSD() async throws {
        let upstream = ScriptedUpstream([], fallback: .complete(usage: TokenUsage(inputTokens: 10, outputTokens: 5), model: "homegrown-llm"))
        try await withTestApp(upstream: upstream) { app in
            try await app.setBudget("account/Acme", #"{"window":"month","max_usd":1}"#)
            _ = try await app.streamedQuery(account: "Acme")
            let run = try await app.streamedQuery(account: "Acme")
            let budget = try #require(run.last?.budget)
            #expect(budget["unpriced_runs"] as? Int == 2)
            #expect(budget["used_usd"] as? Double == 0)
            #expect(budget["used_tokens"] as? Int == 30)
            #expect(budget["remaining_usd"] as? Double == 1)
        }
    }

    @Test func priced_usedUSD_isTheSumOfEstimatedCosts() async throws {
        try await withTestApp(upstream: ScriptedUpstream([])) { app in
            try await app.setBudget("account/Acme", #"{"window":"month","max_usd":0.0000001}"#)
            let run = try await app.streamedQuery(account: "Acme")
            let cost = try #require(run.last?.data["estimated_cost_usd"] as? Double)
            #expect(run.last?.budget?["used_usd"] as? Double == cost)
            #expect(run.last?.budget?["remaining_usd"] as? Double == 0)
            #expect(try await app.streamedQuery(account: "Acme").status == 429)
        }
    }

    @Test func manyConcurrentRunsOnOneAccount_usedIsExactlyTheLedgerSum() async throws {
        let upstream = ScriptedUpstream([], startDelay: .milliseconds(20))
        try await withTestApp(upstream: upstream) { app in
            try await app.setBudget("account/Busy", #"{"window":"day","max_tokens":100000000}"#)
            let totals = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        let run = try await app.streamedQuery(account: "Busy")
                        return run.last?.usage("run_usage")?.2 ?? -1_000_000
                    }
                }
                return try await group.reduce(0, +)
            }
            let budget = try await app.budget("account/Busy")
            let ledger = try #require(app.ledger as? InMemoryLedger)
            let ledgerSum = ledger.records.filter { $0.account == "Busy" }.reduce(0) { $0 + $1.usage.totalTokens }
            #expect(totals == 40 * 15)
            #expect(budget["used_tokens"] as? Int == totals)
            #expect(budget["used_tokens"] as? Int == ledgerSum)
            let global = try await app.getJSON("/admin/budgets")
            #expect((global["budgets"] as? [[String: Any]])?.first?["used_tokens"] as? Int == ledgerSum)
        }
    }

    @Test func evictingAThread_doesNotResetItsBudgetUse() async throws {
        let clock = ManualClock(Self.start)
        try await withTestApp(configure: { $0.threadMaxAgeSeconds = 60 }, upstream: ScriptedUpstream([]), clock: clock) { app in
            let run = try await app.streamedQuery()
            let thread = try #require(run.info?.data["thread_id"] as? String)
            try await app.setBudget("thread/\(thread)", #"{"window":"total","max_tokens":15}"#)
            clock.advance(by: 3_600)
            #expect(await app.service.evictIdleThreads() == 1)
            #expect(try await app.request("GET", "/stats/threads/\(thread)").status == 404)
            #expect(try await app.budget("thread/\(thread)")["used_tokens"] as? Int == 15)
            #expect(try await app.streamedQuery(thread: thread).status == 429)
        }
    }

    @Test func restart_keepsBudgetsAndTheirUse() async throws {
        let path = NSTemporaryDirectory() + "tm-budgets-\(UUID().uuidString).sqlite"
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let first = try SQLiteLedger(path: path, logger: .noop)
        try await withTestApp(upstream: ScriptedUpstream([]), ledger: first) { app in
            try await app.setBudget("account/Acme", #"{"window":"month","max_tokens":30}"#)
            #expect(try await app.streamedQuery(account: "Acme").status == 200)
            #expect(try await app.streamedQuery(account: "Acme").status == 200)
        }
        first.close()
        let second = try SQLiteLedger(path: path, logger: .noop)
        defer { second.close() }
        try await withTestApp(upstream: ScriptedUpstream([]), ledger: second) { app in
            let budget = try await app.budget("account/Acme")
            #expect(budget["max_tokens"] as? Int == 30)
            #expect(budget["used_tokens"] as? Int == 30)
            #expect(try await app.streamedQuery(account: "Acme").status == 429)
        }
    }

    @Test func dropInShape_carriesTheSameBudget() throws {
        let standing = BudgetStanding(budget: Budget(scope: .global, key: "all", window: .day, maxTokens: 10),
                                      use: BudgetUse(tokens: 12), resetsAt: 100)
        let refusal = BudgetRefusal.exceeded(standing, retryAfter: 42)
        let response = refusal.openAIResponse
        #expect(response.status == 429)
        #expect(response.headers["Retry-After"] == "42")
        guard case .bytes(let bytes) = response.body else { Issue.record("not a fixed body"); return }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(Set(error.keys) == ["message", "type", "param", "code", "budget"])
        #expect(error["code"] as? String == "budget_exceeded")
        #expect(error["param"] is NSNull)
        #expect((error["budget"] as? [String: Any])?["used_tokens"] as? Int == 12)
        #expect((error["budget"] as? [String: Any])?["remaining_tokens"] as? Int == 0)
        #expect(refusal.queryResponse.status == 429)
        #expect(BudgetRefusal.unavailable("down").queryResponse.status == 503)
    }
}
