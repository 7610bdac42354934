// One span per run exported to a loopback OTLP receiver, for both upstream protocols (CONTRACT §11).
import Foundation
import Metering
import MockUpstream
import Testing
import TestSupport
@testable import ThreadMeterApp
import Tracing
import Upstream

@Suite struct TracingEndToEndTests {
    static let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    /// The mock upstream, the receiver, and the service exporting to it (flush interval 50 ms).
    func withTracedApp(
        _ api: UpstreamConfiguration.API, receiver: OTLPReceiver? = nil,
        _ body: (TestApp, MockUpstreamServer, OTLPReceiver) async throws -> Void
    ) async throws {
        let receiver = try receiver ?? OTLPReceiver()
        do {
            try await withMockedApp(api, mockSettings: {
                $0.cachedTokens = 3
                $0.reasoningTokens = 2
            }, service: { $0.tracing = Self.tracing(to: receiver) }) { app, mock in
                try await body(app, mock, receiver)
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    /// Export to `receiver` with a 50 ms flush interval and quick retries.
    static func tracing(to receiver: OTLPReceiver) -> TracingConfiguration {
        var tracing = TracingConfiguration(endpoint: URL(string: receiver.tracesURL)!)
        tracing.serviceName = "tm-e2e"
        tracing.batching.flushInterval = 0.05
        tracing.batching.initialBackoff = 0.01
        tracing.batching.maxBackoff = 0.02
        tracing.requestTimeout = 1
        return tracing
    }

    @Test func aClientDisconnectEndsTheSpanOnceTheAbandonedRunsUsageIsRecorded() async throws {
        let receiver = try OTLPReceiver()
        let upstream = ScriptedUpstream([.hang(deltas: ["partial"], usageOnAbandon: TokenUsage(inputTokens: 40, outputTokens: 2))])
        try await withTestApp(configure: { $0.tracing = Self.tracing(to: receiver) }, upstream: upstream) { app in
            let stream = try await openEventStream(port: app.port, path: "/v1/query",
                                                   headers: [("Content-Type", "application/json")], body: #"{"query":"q"}"#)
            _ = try await stream.nextEvent()
            _ = try await stream.nextEvent()
            stream.close()
            let span = try #require(await receiver.waitForSpans(1).first)
            #expect(span.attributes["gen_ai.usage.input_tokens"] == .int(40))
            #expect(span.attributes["gen_ai.usage.output_tokens"] == .int(2))
            #expect(span.statusCode == nil, "a client that stopped the run is not an error of the run")
        }
        await receiver.stop()
    }

    @Test(arguments: [UpstreamConfiguration.API.assistants, .responses])
    func aRunsSpanCarriesTheStreamCompleteUsageAndTheClientsTrace(_ api: UpstreamConfiguration.API) async throws {
        try await withTracedApp(api) { app, mock, receiver in
            let events = try await app.query(["query": "Where are we with Acme?", "accountName": "Acme"],
                                             headers: ["traceparent": Self.parent]).events
            let done = try #require(events.last)
            #expect(done.type == "stream_complete")
            let span = try #require(await receiver.waitForSpans(1).first)
            #expect(receiver.decodeErrors.isEmpty)
            #expect(span.serviceName == "tm-e2e")
            #expect(span.kind == 3)
            #expect(span.traceId == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(span.parentSpanId == "00f067aa0ba902b7")
            #expect(span.statusCode == nil || span.statusCode == 0)
            let runUsage = try #require(done.data["run_usage"] as? [String: Any])
            #expect(span.attributes["gen_ai.usage.input_tokens"] == .int(try #require(runUsage["input_tokens"] as? Int)))
            #expect(span.attributes["gen_ai.usage.output_tokens"] == .int(try #require(runUsage["output_tokens"] as? Int)))
            #expect(span.attributes["gen_ai.operation.name"] == .string("chat"))
            #expect(span.attributes["gen_ai.provider.name"] == .string("openai"))
            #expect(span.attributes["gen_ai.conversation.id"] == .string(try #require(done.data["thread_id"] as? String)))
            #expect(span.attributes["gen_ai.response.id"] == .string(try #require(done.data["run_id"] as? String)))
            #expect(span.attributes["gen_ai.response.model"] == .string(try #require(done.data["model"] as? String)))
            #expect(span.attributes["threadmeter.usage_source"] == .string("upstream"))
            #expect(span.attributes["threadmeter.account"] == .string("Acme"))
            #expect(span.attributes["threadmeter.estimated_cost_usd"] == .double(try #require(done.data["estimated_cost_usd"] as? Double)))
            if api == .responses {
                #expect(span.name == "chat gpt-4o-mini")
                #expect(span.attributes["gen_ai.usage.cache_read.input_tokens"] == .int(try #require(runUsage["cached_input_tokens"] as? Int)))
                #expect(span.attributes["gen_ai.usage.reasoning.output_tokens"] == .int(try #require(runUsage["reasoning_tokens"] as? Int)))
            } else {
                #expect(span.name == "chat gpt-4o-mini")
                #expect(span.attributes["gen_ai.usage.cache_read.input_tokens"] == nil)
            }
            // The run's upstream request carried the run span as the parent.
            let runCall = try #require(mock.requests(to: api == .assistants ? .createRun : .createResponse).last)
            #expect(runCall.headers["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(span.spanId)-01")
        }
    }

    @Test func aNotSampledTraceparentExportsNothingButStillPropagates() async throws {
        try await withTracedApp(.responses) { app, mock, receiver in
            let notSampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
            _ = try await app.query(["query": "quiet"], headers: ["traceparent": notSampled]).events
            _ = try await app.query(["query": "traced"]).events
            let spans = await receiver.waitForSpans(1)
            #expect(spans.count == 1)
            #expect(spans.first?.traceId != "4bf92f3577b34da6a3ce929d0e0e4736", "only the run without traceparent, in a new trace")
            #expect(spans.first?.parentSpanId == nil)
            let first = try #require(mock.requests(to: .createResponse).first)
            #expect(first.headers["traceparent"]?.hasSuffix("-00") == true)
        }
    }

    @Test func aRunTheUpstreamRefusesIsAnErrorSpanAndARefusedRequestHasNone() async throws {
        try await withTracedApp(.responses) { app, mock, receiver in
            let invalid = try await app.query(["query": ""])
            #expect(invalid.status == 400)
            mock.setFault(.status(429, retryAfter: "3"), for: .createResponse)
            let limited = try await app.query(["query": "too much"])
            #expect(limited.status == 429)
            let span = try #require(await receiver.waitForSpans(1).first)
            #expect(span.statusCode == 2)
            #expect(span.attributes["error.type"] == .string("rate_limited"))
            // Spans leave in the order runs end: a span of the earlier 400 would have arrived first.
            #expect(receiver.spans.count == 1, "the 400 made no span")
        }
    }

    @Test func aReceiverThatIsDownOrSlowLeavesQueriesUnaffectedAndDropsAreCounted() async throws {
        // Each export hangs for an hour and then fails: a query that waited for one would never end,
        // so five queries completing at all shows they do not wait (no wall-clock bound needed).
        let slow = try OTLPReceiver()
        slow.behave(status: 503, delay: .seconds(3_600))
        try await withTracedApp(.assistants, receiver: slow) { app, _, _ in
            for _ in 0..<5 {
                let events = try await app.query(["query": "still fast?"]).events
                #expect(events.last?.type == "stream_complete")
            }
            await app.service.spanExporter?.shutdown(flushTimeout: .milliseconds(50))
            let metrics = try await app.request("GET", "/metrics").text
            let dropped = metrics.split(separator: "\n")
                .filter { $0.hasPrefix("threadmeter_otel_spans_dropped_total{") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                .reduce(0, +)
            #expect(dropped == 5, "every span is counted once, whatever the reason: \(metrics.split(separator: "\n").filter { $0.contains("otel") })")
        }
    }

    @Test func theOTELVariablesAndCORSAreReadAtStartupAndBadOnesRefused() throws {
        let configuration = try ServiceConfiguration.load(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/", "OTEL_SERVICE_NAME": "sales-proxy",
            "OTEL_EXPORTER_OTLP_HEADERS": "x-team=a%20b", "CORS_ORIGINS": "*",
        ], arguments: ["--otel-exporter-otlp-protocol", "http/protobuf"])
        let tracing = try #require(configuration.tracing)
        #expect(tracing.endpoint.absoluteString == "http://collector:4318/v1/traces")
        #expect(tracing.serviceName == "sales-proxy")
        #expect(tracing.headers == [.init("x-team", "a b")])
        #expect(tracing.wireProtocol == .httpProtobuf)
        #expect(configuration.cors?.origins == .any)
        #expect(try ServiceConfiguration.load(environment: [:], arguments: []).tracing == nil)
        #expect(throws: ServiceConfiguration.ConfigurationError.self) {
            try ServiceConfiguration.load(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"], arguments: [])
        }
        #expect(throws: ServiceConfiguration.ConfigurationError.self) {
            try ServiceConfiguration.load(environment: ["CORS_ORIGINS": "app.example.com"], arguments: [])
        }
    }

    @Test func corsAndThePagesAreRouted() async throws {
        try await withTestApp(configure: { $0.cors = try? CORSPolicy.fromEnvironment("https://app.example.com") }) { app in
            let preflight = try await app.request("OPTIONS", "/v1/query", headers: [
                "Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, traceparent",
            ])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "https://app.example.com")
            #expect(preflight.header("Access-Control-Allow-Headers")?.contains("traceparent") == true)
            let query = try await app.query(["query": "hi", "stream": false], headers: ["Origin": "https://app.example.com"])
            #expect(query.status == 200)
            #expect(query.header("Access-Control-Allow-Origin") == "https://app.example.com")
            #expect(query.header("Access-Control-Expose-Headers")?.contains("x-ratelimit-remaining-tokens") == true)
            let refused = try await app.query(["query": "hi", "stream": false], headers: ["Origin": "https://evil.example"])
            #expect(refused.header("Access-Control-Allow-Origin") == nil)
            let health = try await app.request("GET", "/health", headers: ["Origin": "https://app.example.com"])
            #expect(health.header("Access-Control-Allow-Origin") == nil, "only /v1/... is shared cross-origin")
            #expect(try await app.request("OPTIONS", "/v1/threads/thread_1/runs", headers: ["Origin": "https://app.example.com"]).status == 204)
            #expect(try await app.request("GET", "/v1/nothing").status == 404, "the preflight route makes no path exist")
            let page = try await app.request("GET", "/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("/v1/query"))
        }
    }
}
