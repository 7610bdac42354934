// ServiceMetrics: the families on /metrics and how the app's calls land in them.
import Foundation
import Testing
import TestSupport
@testable import ThreadMeterApp

@Suite struct ServiceMetricsTests {
    /// The value of the sample line that starts with `series ` in `text`.
    private func sample(_ text: String, _ series: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
    }

    @Test func exposesEveryFamilyOnceWithHelpAndTypeInAFixedOrder() {
        let text = ServiceMetrics().render()
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.dropFirst(7) }
        #expect(types == [
            "threadmeter_http_requests_total counter",
            "threadmeter_http_request_duration_seconds histogram",
            "threadmeter_tokens_total counter",
            "threadmeter_runs_total counter",
            "threadmeter_cost_usd_total counter",
            "threadmeter_active_threads gauge",
            "threadmeter_evictions_total counter",
            "threadmeter_upstream_errors_total counter",
            "threadmeter_upstream_first_token_seconds histogram",
            "threadmeter_open_streams gauge",
            "threadmeter_upstream_ratelimit_remaining gauge",
            "threadmeter_upstream_ratelimit_limit gauge",
            "threadmeter_unknown_model_runs_total counter",
            "threadmeter_storage_errors_total counter",
            "threadmeter_usage_events_dropped_total counter",
            "threadmeter_otel_spans_dropped_total counter",
            "threadmeter_budget_rejections_total counter",
        ])
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.count == types.count)
    }

    @Test func requestsAreCountedByRouteTemplateMethodAndStatusCode() {
        let metrics = ServiceMetrics()
        metrics.recordRequest(route: "/stats/threads/{id}", method: "get", status: 200, durationSeconds: 0.003)
        metrics.recordRequest(route: "/stats/threads/{id}", method: "GET", status: 200, durationSeconds: 0.2)
        metrics.recordRequest(route: "/v1/query", method: "BREW", status: 405, durationSeconds: 0.001)
        metrics.recordRequest(route: "/v1/query", method: "POST", status: 1000, durationSeconds: 0.001)
        let text = metrics.render()
        #expect(sample(text, #"threadmeter_http_requests_total{route="/stats/threads/{id}",method="GET",status="200"}"#) == "2")
        #expect(sample(text, #"threadmeter_http_requests_total{route="/v1/query",method="other",status="405"}"#) == "1")
        #expect(sample(text, #"threadmeter_http_requests_total{route="/v1/query",method="POST",status="other"}"#) == "1")
        #expect(sample(text, #"threadmeter_http_request_duration_seconds_bucket{route="/stats/threads/{id}",le="0.005"}"#) == "1")
        #expect(sample(text, #"threadmeter_http_request_duration_seconds_bucket{route="/stats/threads/{id}",le="0.25"}"#) == "2")
        #expect(sample(text, #"threadmeter_http_request_duration_seconds_count{route="/stats/threads/{id}"}"#) == "2")
    }

    @Test func runsRecordTokensByDirectionAndNormalisedModelAndCost() {
        let metrics = ServiceMetrics()
        metrics.recordRun(outcome: "completed", usageSource: "upstream", model: "gpt-4o-mini-2024-07-18",
                          inputTokens: 89, outputTokens: 67, costUSD: 0.000053, cachedInputTokens: 10, reasoningTokens: 0)
        metrics.recordRun(outcome: "completed", usageSource: "estimated", model: "GPT-4o-mini",
                          inputTokens: 11, outputTokens: 3, costUSD: 0.000004)
        metrics.recordRun(outcome: "failed", usageSource: "upstream", model: nil, inputTokens: 5, outputTokens: 0, costUSD: nil)
        let text = metrics.render()
        #expect(sample(text, #"threadmeter_tokens_total{direction="input",model="gpt-4o-mini"}"#) == "100")
        #expect(sample(text, #"threadmeter_tokens_total{direction="output",model="gpt-4o-mini"}"#) == "70")
        #expect(sample(text, #"threadmeter_tokens_total{direction="cached_input",model="gpt-4o-mini"}"#) == "10")
        #expect(sample(text, #"threadmeter_tokens_total{direction="reasoning",model="gpt-4o-mini"}"#) == "0")
        #expect(sample(text, #"threadmeter_tokens_total{direction="input",model="unknown"}"#) == "5")
        #expect(sample(text, #"threadmeter_runs_total{outcome="completed",usage_source="estimated"}"#) == "1")
        #expect(sample(text, #"threadmeter_runs_total{outcome="completed",usage_source="upstream"}"#) == "1")
        #expect(sample(text, #"threadmeter_runs_total{outcome="failed",usage_source="upstream"}"#) == "1")
        #expect(sample(text, #"threadmeter_cost_usd_total{model="gpt-4o-mini"}"#).flatMap(Double.init) == 0.000057)
        #expect(sample(text, "threadmeter_unknown_model_runs_total") == "1")
    }

    @Test func aRunWithoutTokensAndWithoutCostIsNotAnUnknownModelWarning() {
        let metrics = ServiceMetrics()
        metrics.recordRun(outcome: "failed", usageSource: "upstream", model: "mystery", inputTokens: 0, outputTokens: 0, costUSD: nil)
        #expect(sample(metrics.render(), "threadmeter_unknown_model_runs_total") == "0")
    }

    @Test func rateLimitHeadersSetGaugesOnlyOnceSeen() {
        let metrics = ServiceMetrics()
        #expect(!metrics.render().contains("threadmeter_upstream_ratelimit_remaining{"))
        metrics.setRateLimits([
            "X-RateLimit-Remaining-Requests": "9999", "x-ratelimit-remaining-tokens": "149984",
            "x-ratelimit-limit-requests": "10000", "x-ratelimit-limit-tokens": "150000",
            "x-ratelimit-reset-tokens": "6ms", "x-ratelimit-remaining-images": "3", "content-type": "text/event-stream",
        ])
        metrics.setRateLimits(["x-ratelimit-remaining-requests": "not a number"])
        let text = metrics.render()
        #expect(sample(text, #"threadmeter_upstream_ratelimit_remaining{kind="requests"}"#) == "9999")
        #expect(sample(text, #"threadmeter_upstream_ratelimit_remaining{kind="tokens"}"#) == "149984")
        #expect(sample(text, #"threadmeter_upstream_ratelimit_limit{kind="requests"}"#) == "10000")
        #expect(sample(text, #"threadmeter_upstream_ratelimit_limit{kind="tokens"}"#) == "150000")
        #expect(!text.contains("images"))
    }

    @Test func gaugesAndPlainCountersFollowTheAppsCalls() {
        let metrics = ServiceMetrics()
        metrics.streamOpened()
        metrics.streamOpened()
        metrics.streamClosed()
        metrics.setActiveThreads(7)
        metrics.addEvictions(3)
        metrics.addEvictions(0)
        metrics.recordUpstreamError(kind: "Timeout")
        metrics.recordUpstreamError(kind: "timeout")
        metrics.observeFirstToken(seconds: 0.4)
        metrics.recordStorageError()
        metrics.recordUsageEventsDropped(4)
        let text = metrics.render()
        #expect(sample(text, "threadmeter_open_streams") == "1")
        #expect(sample(text, "threadmeter_active_threads") == "7")
        #expect(sample(text, "threadmeter_evictions_total") == "3")
        #expect(sample(text, #"threadmeter_upstream_errors_total{kind="timeout"}"#) == "2")
        #expect(sample(text, #"threadmeter_upstream_first_token_seconds_bucket{le="0.5"}"#) == "1")
        #expect(sample(text, "threadmeter_upstream_first_token_seconds_count") == "1")
        #expect(sample(text, "threadmeter_storage_errors_total") == "1")
        #expect(sample(text, "threadmeter_usage_events_dropped_total") == "4")
    }

    @Test func routeLabelsAreCappedSoUnmatchedPathsCannotGrowTheExposition() {
        let metrics = ServiceMetrics()
        for i in 0..<200 {
            metrics.recordRequest(route: "/raw/path/\(i)", method: "GET", status: 404, durationSeconds: 0.001)
        }
        let text = metrics.render()
        let series = text.split(separator: "\n").filter { $0.hasPrefix("threadmeter_http_requests_total{") }
        #expect(series.count == 65)
        #expect(sample(text, #"threadmeter_http_requests_total{route="other",method="GET",status="404"}"#) == "136")
    }

    @Test func requestsBeyondTheSeriesCacheAreStillCountedExactly() {
        let metrics = ServiceMetrics()
        for i in 0..<5_000 {
            metrics.recordRequest(route: "/v1/query", method: "M\(i)", status: 405, durationSeconds: 0.001)
        }
        metrics.recordRequest(route: "/v1/query", method: "M1", status: 405, durationSeconds: 0.001)
        let text = metrics.render()
        #expect(sample(text, #"threadmeter_http_requests_total{route="/v1/query",method="other",status="405"}"#) == "5001")
        #expect(sample(text, #"threadmeter_http_request_duration_seconds_count{route="/v1/query"}"#) == "5001")
    }

    @Test(arguments: [
        (nil, "unknown"), ("", "unknown"), ("gpt-4o-mini", "gpt-4o-mini"), ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("GPT-4o", "gpt-4o"), ("o3-mini-2025-1-31", "o3-mini-2025-1-31"), ("-2024-07-18", "-2024-07-18"),
    ] as [(String?, String)])
    func modelNamesAreNormalised(model: String?, expected: String) {
        #expect(ServiceMetrics.normalisedModel(model) == expected)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "needs promtool (apt-get install prometheus)"))
    func promtoolFindsNoLintProblemsInTheServiceExposition() async throws {
        let metrics = ServiceMetrics()
        metrics.recordRequest(route: "/v1/query", method: "POST", status: 200, durationSeconds: 1.5)
        metrics.recordRun(outcome: "completed", usageSource: "upstream", model: "gpt-4o-mini", inputTokens: 1, outputTokens: 2, costUSD: 0.1)
        metrics.setRateLimits(["x-ratelimit-remaining-requests": "5"])
        let exposition = metrics.render()
        let result = try await offCooperativePool { try ChildProcess.run("/usr/bin/promtool", ["check", "metrics"], input: exposition) }
        let status = result.status, findings = result.stdout + result.stderr
        #expect(status == 0 && findings.isEmpty, "promtool: \(findings)")
    }

}
