// Byte-exact renderings of the Prometheus text exposition format.
import Testing
@testable import Telemetry

@Suite struct PrometheusRenderingTests {
    @Test func unlabelledCounterGaugeAndHistogramRenderWithHelpTypeAndSamples() {
        let registry = MetricsRegistry(namespace: "tm")
        let requests = registry.counter("requests_total", help: "Requests served.")
        let open = registry.gauge("open_streams", help: "Streams open now.")
        let latency = registry.histogram("latency_seconds", help: "Latency.", buckets: [0.5, 1, 5])
        requests.increment()
        requests.increment(by: 41)
        open.set(3)
        open.decrement()
        for value in [0.25, 0.5, 0.5, 4, 100] { latency.observe(value) }

        #expect(registry.render() == """
        # HELP tm_requests_total Requests served.
        # TYPE tm_requests_total counter
        tm_requests_total 42
        # HELP tm_open_streams Streams open now.
        # TYPE tm_open_streams gauge
        tm_open_streams 2
        # HELP tm_latency_seconds Latency.
        # TYPE tm_latency_seconds histogram
        tm_latency_seconds_bucket{le="0.5"} 3
        tm_latency_seconds_bucket{le="1"} 3
        tm_latency_seconds_bucket{le="5"} 4
        tm_latency_seconds_bucket{le="+Inf"} 5
        tm_latency_seconds_sum 105.25
        tm_latency_seconds_count 5

        """)
    }

    @Test func labelledSeriesAreSortedByLabelValuesNotByFirstUse() {
        let registry = MetricsRegistry()
        let family = registry.counterFamily("http_requests_total", help: "Requests.", labels: ["route", "status"])
        family.labels("/stats", "200").increment()
        family.labels("/health", "503").increment(by: 2)
        family.labels("/health", "200").increment(by: 3)
        family.labels("/stats", "200").increment()

        #expect(registry.render() == """
        # HELP http_requests_total Requests.
        # TYPE http_requests_total counter
        http_requests_total{route="/health",status="200"} 3
        http_requests_total{route="/health",status="503"} 2
        http_requests_total{route="/stats",status="200"} 2

        """)
    }

    @Test func labelValuesEscapeBackslashQuoteAndNewline() {
        let registry = MetricsRegistry()
        registry.gaugeFamily("g", help: "G.", labels: ["v"]).labels("a\\b\"c\nd").set(1)
        #expect(registry.render().contains(#"g{v="a\\b\"c\nd"} 1"#))
    }

    @Test func helpTextEscapesBackslashAndNewlineButKeepsQuotes() {
        let registry = MetricsRegistry()
        _ = registry.gauge("g", help: "line one\nsays \"hi\" C:\\tmp")
        #expect(registry.render().hasPrefix(#"# HELP g line one\nsays "hi" C:\\tmp"# + "\n# TYPE g gauge\n"))
    }

    @Test func labelledHistogramPutsLeLastAndRepeatsLabelsOnSumAndCount() {
        let registry = MetricsRegistry()
        let family = registry.histogramFamily("d_seconds", help: "D.", labels: ["route"], buckets: [0.1, 1])
        family.labels("/b").observe(0.1)
        family.labels("/a").observe(2)

        #expect(registry.render() == """
        # HELP d_seconds D.
        # TYPE d_seconds histogram
        d_seconds_bucket{route="/a",le="0.1"} 0
        d_seconds_bucket{route="/a",le="1"} 0
        d_seconds_bucket{route="/a",le="+Inf"} 1
        d_seconds_sum{route="/a"} 2
        d_seconds_count{route="/a"} 1
        d_seconds_bucket{route="/b",le="0.1"} 1
        d_seconds_bucket{route="/b",le="1"} 1
        d_seconds_bucket{route="/b",le="+Inf"} 1
        d_seconds_sum{route="/b"} 0.1
        d_seconds_count{route="/b"} 1

        """)
    }

    @Test func labelledFamilyWithoutSeriesRendersOnlyHelpAndType() {
        let registry = MetricsRegistry()
        _ = registry.gaugeFamily("ratelimit_remaining", help: "R.", labels: ["kind"])
        #expect(registry.render() == "# HELP ratelimit_remaining R.\n# TYPE ratelimit_remaining gauge\n")
    }

    @Test func emptyRegistryRendersNothing() {
        #expect(MetricsRegistry().render() == "")
    }

    @Test func counterKeepsFractionalAmountsAndIgnoresNegativeOnes() {
        let registry = MetricsRegistry()
        let cost = registry.counter("cost_usd_total", help: "Cost.")
        cost.increment(by: 2)
        cost.add(0.5)
        cost.add(0.25)
        cost.add(-7)
        cost.add(.nan)
        cost.increment(by: -3)
        #expect(cost.value == 2.75)
        #expect(registry.render().hasSuffix("cost_usd_total 2.75\n"))
    }

    @Test func counterRendersLargeWholeCountsExactly() {
        let registry = MetricsRegistry()
        let tokens = registry.counter("tokens_total", help: "T.")
        tokens.increment(by: 9_007_199_254_740_993)
        #expect(registry.render().hasSuffix("tokens_total 9007199254740993\n"))
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-42.0, "-42"), (0.5, "0.5"), (1e-05, "1e-05"),
        (5.3e-05, "5.3e-05"), (1e16, "1e+16"), (123456.789, "123456.789"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
    ])
    func valuesAreFormattedAsPrometheusParsesThem(value: Double, expected: String) {
        #expect(PrometheusText.formatValue(value) == expected)
    }

    @Test func registeringTheSameFamilyTwiceReturnsTheSameSeries() {
        let registry = MetricsRegistry()
        registry.counter("runs_total", help: "Runs.").increment()
        registry.counter("runs_total", help: "Runs.").increment()
        #expect(registry.render() == "# HELP runs_total Runs.\n# TYPE runs_total counter\nruns_total 2\n")
    }

    @Test(arguments: ["ok_name", "a:b_c1", "_x", ":x"])
    func acceptsValidMetricNames(name: String) {
        #expect(PrometheusText.isValidMetricName(name))
    }

    @Test(arguments: ["", "1abc", "with-dash", "sp ace", "é"])
    func rejectsInvalidMetricNames(name: String) {
        #expect(!PrometheusText.isValidMetricName(name))
    }

    @Test(arguments: ["__reserved", "a:b", "", "9x"])
    func rejectsInvalidLabelNames(name: String) {
        #expect(!PrometheusText.isValidLabelName(name))
    }

    @Test func histogramCountEqualsInfBucketAndNaNIsIgnored() {
        let histogram = MetricsRegistry().histogram("h_seconds", help: "H.", buckets: [1])
        histogram.observe(0.5)
        histogram.observe(.nan)
        histogram.observe(.milliseconds(1500))
        #expect(histogram.count == 2)
        #expect(histogram.cumulativeCounts() == [1, 2])
        #expect(histogram.sum == 2)
    }
}
