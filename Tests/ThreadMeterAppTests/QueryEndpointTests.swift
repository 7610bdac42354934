import Foundation
import Metering
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite struct QueryEndpointTests {
    @Test func streamSendsThreadInfoThenContentThenStreamComplete() async throws {
        try await withTestApp { app in
            let response = try await app.query(["query": "What is sales methodology?"])
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/event-stream") == true)
            #expect(response.header("Cache-Control") == "no-cache")
            let events = try response.events
            try #require(events.count >= 3)
            #expect(events.first?.type == "thread_info")
            #expect(events.last?.type == "stream_complete")
            #expect(events.dropFirst().dropLast().allSatisfy { $0.type == "content" })
            #expect(events.count - 2 >= 2, "several content events")
            let info = events[0].data
            #expect(info["agent_name"] as? String == "ShadowAssistant")
            #expect(info["new_thread"] as? Bool == true)
            let threadId = try #require(info["thread_id"] as? String)
            #expect(threadId.hasPrefix("thread_"))
            #expect(events[0].usage("token_usage")! == (0, 0, 0))
            let done = events.last!
            #expect(done.data["thread_id"] as? String == threadId)
            #expect((done.data["run_id"] as? String)?.hasPrefix("run_") == true)
            #expect(done.data["usage_source"] as? String == "upstream")
            #expect(done.data["model"] as? String == "gpt-4o-mini")
            #expect((done.data["estimated_cost_usd"] as? Double ?? 0) > 0)
            let run = try #require(done.usage("run_usage"))
            #expect(run.0 > 0 && run.1 > 0 && run.2 == run.0 + run.1)
            #expect(done.usage("token_usage")! == run, "first run: thread total equals run usage")
        }
    }

    @Test func usageAccumulatesOnAThreadAndANewThreadStartsAtZero() async throws {
        // The seed example: runs of 150, 200 and 170 tokens show totals 150, 350, 520; a new thread starts at 0.
        let upstream = ScriptedUpstream([
            .complete(usage: TokenUsage(inputTokens: 100, outputTokens: 50)),
            .complete(usage: TokenUsage(inputTokens: 120, outputTokens: 80)),
            .complete(usage: TokenUsage(inputTokens: 130, outputTokens: 40)),
            .complete(usage: TokenUsage(inputTokens: 50, outputTokens: 30)),
        ])
        try await withInProcessApp(upstream: upstream) { app in
            let first = try await app.query(["query": "one"]).events
            let threadId = try #require(first[0].data["thread_id"] as? String)
            #expect(first.last!.usage("token_usage")!.2 == 150)
            let second = try await app.query(["query": "two", "threadId": threadId]).events
            #expect(second[0].data["new_thread"] as? Bool == false)
            #expect(second[0].usage("token_usage")!.2 == 150, "thread_info shows usage before the run")
            #expect(second.last!.usage("token_usage")! == (220, 130, 350))
            let third = try await app.query(["query": "three", "threadId": threadId]).events
            #expect(third.last!.usage("token_usage")!.2 == 520)
            #expect(third.last!.usage("run_usage")!.2 == 170)
            let other = try await app.query(["query": "new"]).events
            #expect(other[0].usage("token_usage")!.2 == 0)
            #expect(other.last!.usage("token_usage")!.2 == 80)
            let stats = try await app.statistics()
            #expect(stats["total_threads"] as? Int == 2)
            #expect(stats["total_tokens_across_all_threads"] as? Int == 600)
            let thread = try #require((stats["threads"] as? [String: Any])?[threadId] as? [String: Any])
            #expect(thread["total_tokens"] as? Int == 520)
            #expect(thread["runs"] as? Int == 3)
        }
    }

    @Test func nonStreamingAnswerIsOneJSONDocument() async throws {
        try await withInProcessApp { app in
            let response = try await app.query(["query": "Tell me", "stream": false, "accountName": "Acme"])
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let json = try response.json
            for key in ["thread_id", "run_id", "new_thread", "answer", "run_usage", "token_usage", "usage_source", "model", "estimated_cost_usd"] {
                #expect(json[key] != nil, "has \(key)")
            }
            #expect(json["new_thread"] as? Bool == true)
            #expect((json["answer"] as? String)?.isEmpty == false)
            let stats = try await app.statistics()
            let threads = try #require(stats["threads"] as? [String: [String: Any]])
            #expect(threads[json["thread_id"] as! String]?["account"] as? String == "Acme")
        }
    }

    @Test func completedRunWithoutUsageIsEstimatedNeverZero() async throws {
        let upstream = ScriptedUpstream([.complete(usage: nil, deltas: ["An answer with several words in it."])])
        try await withInProcessApp(upstream: upstream) { app in
            let events = try await app.query(["query": "How many tokens?"]).events
            let done = try #require(events.last)
            #expect(done.type == "stream_complete")
            #expect(done.data["usage_source"] as? String == "estimated")
            let run = try #require(done.usage("run_usage"))
            #expect(run.0 > 0 && run.1 > 0)
            #expect(app.logs.records.contains { $0.level == .warning && $0.message.contains("estimate") })
        }
    }

    @Test func failedRunEndsWithErrorEventAndKeepsReportedPartialUsage() async throws {
        let upstream = ScriptedUpstream([
            .complete(usage: TokenUsage(inputTokens: 10, outputTokens: 10)),
            .end(.failed, usage: TokenUsage(inputTokens: 7, outputTokens: 3)),
            .end(.incomplete, usage: nil),
        ])
        try await withInProcessApp(upstream: upstream) { app in
            let first = try await app.query(["query": "a"]).events
            let threadId = try #require(first[0].data["thread_id"] as? String)
            let failed = try await app.query(["query": "b", "threadId": threadId]).events
            let error = try #require(failed.last)
            #expect(error.type == "error")
            #expect((error.data["error"] as? [String: Any])?["code"] as? String == "upstream_error")
            #expect(error.data["thread_id"] as? String == threadId)
            #expect(error.usage("token_usage")! == (17, 13, 30), "partial usage of the failed run is accumulated")
            let incomplete = try await app.query(["query": "c", "threadId": threadId]).events
            #expect(incomplete.last?.type == "error")
            #expect(incomplete.last!.usage("token_usage")! == (17, 13, 30), "no usage reported: nothing added, no estimate")
            let thread = try await app.getJSON("/stats/threads/\(threadId)")
            #expect(thread["total_tokens"] as? Int == 30)
            #expect(thread["runs"] as? Int == 2)
            let rows = (app.ledger as! InMemoryLedger).records.filter { $0.threadId == threadId }
            #expect(rows.map(\.status) == [.completed, .failed, .incomplete], "every run has a ledger row")
        }
    }

    @Test func failedRunWithoutStreamingIs502WithUsage() async throws {
        let upstream = ScriptedUpstream([.end(.expired, usage: TokenUsage(inputTokens: 4, outputTokens: 0))])
        try await withInProcessApp(upstream: upstream) { app in
            let response = try await app.query(["query": "a", "stream": false])
            #expect(response.status == 502)
            let json = try response.json
            #expect((json["error"] as? [String: Any])?["code"] as? String == "upstream_error")
            #expect((json["token_usage"] as? [String: Any])?["total_tokens"] as? Int == 4)
            #expect(json["thread_id"] as? String != nil)
        }
    }

    @Test(arguments: [
        (UpstreamError.rateLimited(retryAfter: "7", message: "slow down"), 429, "rate_limited"),
        (UpstreamError.timeout("first byte"), 504, "upstream_timeout"),
        (UpstreamError.threadNotFound("thread_x"), 404, "thread_not_found"),
        (UpstreamError.connectionFailed("refused"), 502, "upstream_error"),
        (UpstreamError.unauthorized("401"), 502, "upstream_error"),
        (UpstreamError.badStatus(500, "boom"), 502, "upstream_error"),
    ])
    func upstreamFailuresBeforeTheStreamMapToStatuses(_ error: UpstreamError, _ status: Int, _ code: String) async throws {
        try await withInProcessApp(upstream: ScriptedUpstream([.refuse(error)])) { app in
            let response = try await app.query(["query": "a", "threadId": "thread_x"])
            #expect(response.status == status)
            #expect(((try response.json)["error"] as? [String: Any])?["code"] as? String == code)
            if status == 429 { #expect(response.header("Retry-After") == "7") }
            if case .unauthorized = error { #expect(response.text.contains("OPENAI_API_KEY")) }
            // The service stays up and nothing was recorded.
            #expect(try await app.request("GET", "/health").status == 200)
            #expect(try await app.statistics()["total_threads"] as? Int == 0)
        }
    }

    @Test func contextReachesTheUpstream() async throws {
        let upstream = ScriptedUpstream([])
        try await withInProcessApp(upstream: upstream) { app in
            _ = try await app.query(["query": "q", "demand_stage": "Interest", "accountName": "Acme", "additional_instructions": "short"])
            let request = try #require(upstream.requests.withLock { $0.first })
            #expect(request.demandStage == "Interest")
            #expect(request.accountName == "Acme")
            #expect(request.additionalInstructions == "short")
        }
    }
}
