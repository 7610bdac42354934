// The exposition is read back by real Prometheus parsers: Python's prometheus_client and promtool.
import Foundation
import Testing
@testable import Telemetry

@Suite struct PrometheusParserTests {
    static let pythonParserAvailable = ExternalTool.pythonHasModule("prometheus_client")
    static let promtoolAvailable = ExternalTool.locate("promtool") != nil

    /// A registry exercising every family type, labels needing escapes, fractions and empty families.
    static func sampleRegistry() -> MetricsRegistry {
        let registry = MetricsRegistry(namespace: "threadmeter")
        let requests = registry.counterFamily("http_requests_total", help: "HTTP requests by route \"template\".", labels: ["route", "method", "status"])
        requests.labels("/stats/threads/{id}", "GET", "200").increment(by: 3)
        requests.labels("/v1/query", "POST", "502").increment()
        registry.counterFamily("upstream_errors_total", help: "Errors\nby kind.", labels: ["kind"])
            .labels("quote\" back\\slash\nnewline").increment()
        registry.counterFamily("cost_usd_total", help: "Estimated cost.", labels: ["model"]).labels("gpt-4o-mini").add(0.000053)
        registry.gauge("active_threads", help: "Tracked threads.").set(5)
        _ = registry.gaugeFamily("upstream_ratelimit_remaining", help: "Remaining.", labels: ["kind"])
        let duration = registry.histogramFamily("http_request_duration_seconds", help: "Latency.", labels: ["route"], buckets: [0.005, 0.1, 1, 2.5])
        for value in [0.001, 0.05, 0.5, 3.0] { duration.labels("/health").observe(value) }
        return registry
    }

    @Test(.enabled(if: pythonParserAvailable, "needs python3 with prometheus_client (pip install prometheus_client)"))
    func prometheusClientParsesEveryFamilyAndSample() async throws {
        let script = """
        import sys, json
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for f in text_string_to_metric_families(sys.stdin.read()):
            out.append({"name": f.name, "type": f.type, "help": f.documentation,
                        "samples": [[s.name, s.labels, repr(s.value)] for s in f.samples]})
        print(json.dumps(out))
        """
        let result = try #require(try await ExternalTool.run("python3", ["-c", script], input: Self.sampleRegistry().render()))
        #expect(result.status == 0, "parser failed: \(result.stderr)")
        let families = try JSONDecoder().decode([ParsedFamily].self, from: Data(result.stdout.utf8))

        // prometheus_client drops the `_total` suffix from counter family names (not from samples).
        #expect(families.map(\.name) == [
            "threadmeter_http_requests", "threadmeter_upstream_errors", "threadmeter_cost_usd",
            "threadmeter_active_threads", "threadmeter_upstream_ratelimit_remaining",
            "threadmeter_http_request_duration_seconds",
        ])
        #expect(families.map(\.type) == ["counter", "counter", "counter", "gauge", "gauge", "histogram"])
        #expect(families[0].help == "HTTP requests by route \"template\".")
        #expect(families[1].help == "Errors\nby kind.")
        #expect(families[0].samples.map(\.labels) == [
            ["route": "/stats/threads/{id}", "method": "GET", "status": "200"],
            ["route": "/v1/query", "method": "POST", "status": "502"],
        ])
        #expect(families[0].samples.map(\.value) == [3, 1])
        #expect(families[1].samples.first?.labels["kind"] == "quote\" back\\slash\nnewline")
        #expect(families[2].samples.first?.value == 0.000053)
        #expect(families[4].samples.isEmpty)
        let histogram = families[5].samples
        #expect(histogram.map(\.name) == Array(repeating: "threadmeter_http_request_duration_seconds_bucket", count: 5)
            + ["threadmeter_http_request_duration_seconds_sum", "threadmeter_http_request_duration_seconds_count"])
        #expect(histogram.map(\.value) == [1, 2, 3, 3, 4, 3.551, 4])
        #expect(histogram.compactMap { $0.labels["le"] } == ["0.005", "0.1", "1", "2.5", "+Inf"])
    }

    @Test(.enabled(if: promtoolAvailable, "needs promtool (apt-get install prometheus)"))
    func promtoolAcceptsTheExpositionWithoutLintFindings() async throws {
        let result = try #require(try await ExternalTool.run("promtool", ["check", "metrics"], input: Self.sampleRegistry().render()))
        #expect(result.status == 0, "promtool: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "promtool findings: \(result.stdout) \(result.stderr)")
    }
}

/// One family as the Python script reports it.
private struct ParsedFamily: Decodable {
    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            name = try container.decode(String.self)
            labels = try container.decode([String: String].self)
            let text = try container.decode(String.self)
            guard let parsed = Double(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \(text)")
            }
            value = parsed
        }
    }

    var name: String
    var type: String
    var help: String
    var samples: [Sample]
}
