// Budgets (contract §9) enforced on the drop-in routes (§8): the same gate as /v1/query, the §8 error shape.
import Foundation
import MockUpstream
import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite("Drop-in budgets", .serialized)
struct DropInBudgetTests {
    static let headers = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]

    @Test("an account budget used up by a drop-in run refuses the next one with 429 budget_exceeded in the §8 shape, before the upstream")
    func accountBudgetRefusesTheNextAssistantsRun() async throws {
        try await withDropInApp { app, mock in
            try await app.setBudget("account/Acme", #"{"max_tokens":1,"window":"day"}"#)
            let thread = mock.makeThread()
            let body = Data(#"{"assistant_id":"asst_test","stream":true,"metadata":{"account":"Acme"}}"#.utf8)
            let first = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.headers, body: body)
            #expect(first.status == 200, "admitted: nothing used yet")
            let used = try await app.budget("account/Acme")
            let figures = try #require(try await app.threadFigures(thread))
            #expect(used["used_tokens"] as? Int == figures.input + figures.output && figures.input + figures.output > 1)

            let before = mock.requestCount
            let second = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.headers, body: body)
            #expect(second.status == 429)
            #expect(second.header("Retry-After").flatMap(Int.init).map { $0 > 0 && $0 <= 86_400 } == true)
            let error = try #require(second.errorObject)
            #expect(error["code"] as? String == "budget_exceeded")
            #expect(error["type"] as? String == "rate_limit_error")
            #expect(error.keys.contains("param"))
            let budget = try #require(error["budget"] as? [String: Any])
            #expect(budget["scope"] as? String == "account" && budget["key"] as? String == "Acme")
            #expect(budget["remaining_tokens"] as? Int == 0)
            #expect(mock.requestCount == before, "nothing reached the upstream")
            #expect(try await app.metric(#"threadmeter_budget_rejections_total{scope="account"}"#) == 1)
        }
    }

    @Test("a global budget stops a Responses create without a conversation")
    func globalBudgetRefusesAResponse() async throws {
        try await withDropInApp(.responses) { app, mock in
            try await app.setBudget("global/all", #"{"max_tokens":1,"window":"total"}"#)
            let body = Data(#"{"model":"gpt-4o-mini","input":"hi","stream":true}"#.utf8)
            let first = try await app.request("POST", "/v1/responses", headers: Self.headers, body: body)
            #expect(first.status == 200)
            let before = mock.requestCount
            let second = try await app.request("POST", "/v1/responses", headers: Self.headers, body: body)
            #expect(second.status == 429)
            #expect(second.header("Retry-After") == nil, "a total window never resets")
            #expect((second.errorObject?["budget"] as? [String: Any])?["scope"] as? String == "global")
            #expect(mock.requestCount == before)
        }
    }

    @Test("rate-limit headers seen on the drop-in routes show in /stats like those of /v1/query (one record per upstream)")
    func dropInRateLimitsReachStats() async throws {
        try await withDropInApp { app, mock in
            #expect((try await app.statistics()["upstream_rate_limits"] as? [String: Any])?.isEmpty == true)
            let response = try await app.request("POST", "/v1/threads", headers: Self.headers, body: Data("{}".utf8))
            #expect(response.status == 200)
            let limits = try #require(try await app.statistics()["upstream_rate_limits"] as? [String: String])
            #expect(limits["x-ratelimit-limit-requests"] == response.header("x-ratelimit-limit-requests"))
            #expect(limits["x-ratelimit-remaining-requests"] == response.header("x-ratelimit-remaining-requests"))
            #expect(limits["x-ratelimit-limit-tokens"] == "2000000")
        }
    }
}
