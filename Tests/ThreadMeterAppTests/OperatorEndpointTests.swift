import Foundation
import Metering
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite struct OperatorEndpointTests {
    @Test func healthReportsTrackingUpstreamAndStorage() async throws {
        try await withInProcessApp { app in
            _ = try await app.query(["query": "hi"])
            let health = try await app.getJSON("/health")
            #expect(health["status"] as? String == "healthy")
            #expect((health["timestamp"] as? Double ?? 0) > 1_700_000_000)
            let tracking = try #require(health["token_tracking"] as? [String: Any])
            #expect(tracking["active_threads"] as? Int == 1)
            #expect((tracking["total_tokens_tracked"] as? Int ?? 0) > 0)
            #expect(health["assistant_id"] as? Bool == false)
            #expect(health["upstream"] as? String == "simulated")
            #expect(health["storage"] as? String == "ok")
        }
    }

    @Test func healthIs503WhenTheLedgerCannotBeWritten() async throws {
        let ledger = InMemoryLedger()
        try await withInProcessApp(ledger: ledger) { app in
            ledger.failWrites = true
            let events = try await app.query(["query": "hi"]).events
            #expect(events.last?.type == "error")
            #expect((events.last?.data["error"] as? [String: Any])?["code"] as? String == "storage_error")
            #expect((events.last?.usage("token_usage")?.2 ?? 0) > 0, "the usage is still counted in memory")
            let health = try await app.request("GET", "/health")
            #expect(health.status == 503)
            #expect(try health.json["status"] as? String == "unhealthy")
            ledger.failWrites = false
        }
    }

    @Test func statsListsThreadsByTotalWithLimitAndFilter() async throws {
        let upstream = ScriptedUpstream([
            .complete(usage: TokenUsage(inputTokens: 10, outputTokens: 0)),
            .complete(usage: TokenUsage(inputTokens: 30, outputTokens: 0)),
            .complete(usage: TokenUsage(inputTokens: 20, outputTokens: 0)),
        ])
        try await withInProcessApp(upstream: upstream) { app in
            var ids: [String] = []
            for _ in 0..<3 {
                ids.append(try #require(try await app.query(["query": "q", "accountName": "Acme"]).events[0].data["thread_id"] as? String))
            }
            let stats = try await app.statistics(query: "?limit=2")
            #expect(stats["total_threads"] as? Int == 3)
            #expect(stats["total_input_tokens"] as? Int == 60)
            #expect(stats["total_output_tokens"] as? Int == 0)
            #expect(stats["total_tokens_across_all_threads"] as? Int == 60)
            #expect((stats["upstream_rate_limits"] as? [String: String])?["x-ratelimit-remaining-requests"] == "99")
            let raw = try await app.request("GET", "/stats?limit=2").text
            let first = try #require(raw.range(of: ids[1])), second = try #require(raw.range(of: ids[2]))
            #expect(first.lowerBound < second.lowerBound, "ordered by total_tokens descending")
            #expect(!raw.contains(ids[0]), "limit applies")
            let thread = try #require((stats["threads"] as? [String: [String: Any]])?[ids[1]])
            #expect(thread["runs"] as? Int == 1)
            #expect(thread["account"] as? String == "Acme")
            #expect((thread["last_activity"] as? Double ?? 0) > 1_700_000_000)
            let only = try await app.statistics(query: "?thread_id=\(ids[0])")
            #expect((only["threads"] as? [String: Any])?.keys.sorted() == [ids[0]])
            #expect(only["total_threads"] as? Int == 3, "totals always cover every thread")
            let none = try await app.statistics(query: "?thread_id=thread_unknown")
            #expect((none["threads"] as? [String: Any])?.isEmpty == true)
            #expect(((try await app.statistics(query: "?limit=5000"))["threads"] as? [String: Any])?.count == 3)
            #expect(((try await app.statistics(query: "?limit=0"))["threads"] as? [String: Any])?.count == 0)
            for bad in ["?limit=-1", "?limit=abc", "?limit=1.5"] {
                #expect(try await app.request("GET", "/stats" + bad).status == 400)
            }
        }
    }

    @Test func statsThreadReturnsOneThreadOr404() async throws {
        try await withInProcessApp { app in
            let id = try #require(try await app.query(["query": "q"]).events[0].data["thread_id"] as? String)
            let thread = try await app.getJSON("/stats/threads/\(id)")
            #expect(thread["thread_id"] as? String == id)
            for key in ["input_tokens", "output_tokens", "total_tokens", "runs", "last_activity", "account"] {
                #expect(thread.keys.contains(key))
            }
            #expect(try await app.request("GET", "/stats/threads/thread_nope").status == 404)
        }
    }

    @Test func adminTokenGuardsStatsAndMetrics() async throws {
        try await withInProcessApp(configure: { $0.adminToken = "s3cret" }) { (app: TestApp) async throws in
            for path in ["/stats", "/stats/threads/thread_a", "/metrics", "/stats/usage"] {
                #expect(try await app.request("GET", path).status == 401, "\(path) without token")
                #expect(try await app.request("GET", path, headers: ["Authorization": "Bearer wrong"]).status == 401)
            }
            #expect(try await app.request("GET", "/stats", headers: ["Authorization": "Bearer s3cret"]).status == 200)
            #expect(try await app.request("GET", "/metrics", headers: ["Authorization": "Bearer s3cret"]).status == 200)
            #expect(try await app.request("GET", "/health").status == 200, "health needs no auth")
        }
    }

    @Test func apiKeysGuardQueries() async throws {
        try await withInProcessApp(configure: { $0.apiKeys = ["k1", "k2"] }) { (app: TestApp) async throws in
            #expect(try await app.query(["query": "q"]).status == 401)
            #expect(try await app.query(["query": "q"], headers: ["Authorization": "Bearer nope"]).status == 401)
            #expect(try await app.query(["query": "q"], headers: ["Authorization": "Bearer k2"]).status == 200)
        }
    }

    @Test func routingErrorsAreJSON() async throws {
        try await withTestApp(configure: { $0.maxBodyBytes = 64 }) { app in
            let notFound = try await app.request("GET", "/nope")
            #expect(notFound.status == 404)
            #expect(((try notFound.json)["error"] as? [String: Any])?["code"] != nil)
            let wrongMethod = try await app.request("GET", "/v1/query")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "POST")
            #expect(try await app.request("DELETE", "/stats").header("Allow") == "GET, HEAD")
            let big = try await app.query(["query": String(repeating: "x", count: 200)])
            #expect(big.status == 413)
            let text = try await app.request("POST", "/v1/query", headers: ["Content-Type": "text/plain"], body: Data("hi".utf8))
            #expect(text.status == 415)
            let badJSON = try await app.request("POST", "/v1/query", headers: ["Content-Type": "application/json"], body: Data("{".utf8))
            #expect(badJSON.status == 400)
            let badThread = try await app.query(["query": "q", "threadId": "../../etc"])
            #expect(badThread.status == 400)
            #expect(try await app.request("GET", "/health").status == 200, "still serving")
        }
    }

    @Test func evictionRemovesIdleThreadsAndReuseStartsAtZero() async throws {
        let clock = ManualClock(1_000_000)
        try await withInProcessApp(configure: { $0.threadMaxAgeSeconds = 100 }, clock: clock) { app in
            let first = try await app.query(["query": "q"]).events
            let id = try #require(first[0].data["thread_id"] as? String)
            clock.advance(by: 50)
            #expect(await app.service.evictIdleThreads() == 0)
            clock.advance(by: 60)
            #expect(await app.service.evictIdleThreads() == 1)
            #expect(try await app.statistics()["total_threads"] as? Int == 0)
            #expect(try await app.getJSON("/health")["token_tracking"].flatMap { ($0 as? [String: Any])?["active_threads"] as? Int } == 0)
            let again = try await app.query(["query": "q", "threadId": id]).events
            #expect(again[0].data["new_thread"] as? Bool == false)
            #expect(again[0].usage("token_usage")! == (0, 0, 0))
            #expect(again.last!.usage("token_usage")! == again.last!.usage("run_usage")!)
        }
    }

    @Test func metricsAreExposedInPrometheusFormat() async throws {
        try await withInProcessApp { app in
            _ = try await app.query(["query": "q"])
            let response = try await app.request("GET", "/metrics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            for family in ["threadmeter_http_requests_total", "threadmeter_tokens_total", "threadmeter_runs_total", "threadmeter_active_threads"] {
                #expect(response.text.contains("# TYPE \(family)"))
            }
            #expect(!response.text.contains("thread_scripted"), "no thread ids in labels")
        }
    }

    @Test func dashboardPageIsServedWithoutData() async throws {
        try await withInProcessApp(configure: { $0.adminToken = "t" }) { app in
            let page = try await app.request("GET", "/dashboard")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(!page.text.contains("\"t\""))
        }
    }
}

@Suite struct AccessLogTests {
    @Test func accessLogLinesUseTheRawPathSoEncodedNewlinesCannotForgeLines() async throws {
        try await withTestApp { app in
            _ = try await app.request("GET", "/nope%0Aforged%20line")
            let line = try #require(app.logs.records.first { $0.label == "access" })
            #expect(line.message == "GET /nope%0Aforged%20line 404")
            #expect(!line.message.contains("\n"))
        }
    }
}
