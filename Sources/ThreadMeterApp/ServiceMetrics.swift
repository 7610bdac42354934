// The service's Prometheus metric families and the calls the app makes to update them.
import Foundation
import Synchronization
import Telemetry

/// Every metric ThreadMeter exposes on `GET /metrics`, named `threadmeter_…`.
///
/// Labels stay low-cardinality: routes are templates (`/stats/threads/{id}`), models are normalised
/// (dated snapshots folded into their alias, nil → `unknown`), and every free-form label is capped
/// by a `BoundedLabelValues` guard. Thread ids and account names are never labels.
public final class ServiceMetrics: Sendable {
    /// The registry behind these families; other components may register their own families in it.
    public let registry: MetricsRegistry

    private let httpRequests: CounterFamily
    private let httpRequestDuration: HistogramFamily
    private let tokens: CounterFamily
    private let runs: CounterFamily
    private let cost: CounterFamily
    private let activeThreads: Gauge
    private let evictions: Counter
    private let upstreamErrors: CounterFamily
    private let upstreamFirstToken: Histogram
    private let openStreams: Gauge
    private let rateLimitRemaining: GaugeFamily
    private let rateLimitLimit: GaugeFamily
    private let unknownModelRuns: Counter
    private let storageErrors: Counter
    private let usageEventsDropped: Counter
    private let otelSpansDropped: CounterFamily
    private let budgetRejections: CounterFamily

    private let routes = BoundedLabelValues(limit: 64, maxLength: 80)
    private let models = BoundedLabelValues(limit: 64) { ServiceMetrics.normalisedModel($0) }
    private let outcomes = BoundedLabelValues(limit: 32, maxLength: 32) { $0.lowercased() }
    private let usageSources = BoundedLabelValues(limit: 8, maxLength: 32) { $0.lowercased() }
    private let errorKinds = BoundedLabelValues(limit: 32, maxLength: 32) { $0.lowercased() }

    /// Request latency buckets: SSE streams keep a request open for minutes.
    public static let requestDurationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
    /// Time-to-first-token buckets.
    public static let firstTokenBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60]

    public init() {
        let registry = MetricsRegistry(namespace: "threadmeter")
        self.registry = registry
        httpRequests = registry.counterFamily(
            "http_requests_total", help: "HTTP requests answered, by route template, method and status code.",
            labels: ["route", "method", "status"])
        httpRequestDuration = registry.histogramFamily(
            "http_request_duration_seconds", help: "Time from request to the end of the response (streams included), by route template.",
            labels: ["route"], buckets: Self.requestDurationBuckets)
        tokens = registry.counterFamily(
            "tokens_total",
            help: "Tokens accumulated from runs, by direction (input, output; cached_input is part of input, reasoning part of output) and model.",
            labels: ["direction", "model"])
        runs = registry.counterFamily(
            "runs_total", help: "Runs whose usage was accumulated, by outcome and usage source (upstream or estimated).",
            labels: ["outcome", "usage_source"])
        cost = registry.counterFamily(
            "cost_usd_total", help: "Estimated cost of accumulated usage in US dollars, by model (runs of unknown models excluded).",
            labels: ["model"])
        activeThreads = registry.gauge("active_threads", help: "Threads currently tracked.")
        evictions = registry.counter("evictions_total", help: "Threads evicted for being idle longer than THREAD_MAX_AGE_SECONDS.")
        upstreamErrors = registry.counterFamily("upstream_errors_total", help: "Upstream failures, by kind.", labels: ["kind"])
        upstreamFirstToken = registry.histogram(
            "upstream_first_token_seconds", help: "Time from starting an upstream run to its first text delta.",
            buckets: Self.firstTokenBuckets)
        openStreams = registry.gauge("open_streams", help: "SSE responses currently streaming.")
        rateLimitRemaining = registry.gaugeFamily(
            "upstream_ratelimit_remaining", help: "Last x-ratelimit-remaining-* value seen from the upstream, by kind (requests, tokens).",
            labels: ["kind"])
        rateLimitLimit = registry.gaugeFamily(
            "upstream_ratelimit_limit", help: "Last x-ratelimit-limit-* value seen from the upstream, by kind (requests, tokens).",
            labels: ["kind"])
        unknownModelRuns = registry.counter(
            "unknown_model_runs_total", help: "Runs with tokens but no estimated cost because the model has no known price.")
        storageErrors = registry.counter("storage_errors_total", help: "Failed writes or reads of the usage store.")
        usageEventsDropped = registry.counter(
            "usage_events_dropped_total", help: "Usage events not delivered to USAGE_WEBHOOK_URL (queue full or retries exhausted).")
        otelSpansDropped = registry.counterFamily(
            "otel_spans_dropped_total", help: "Trace spans not exported over OTLP, by reason (queue_full, export_failed, shutdown).",
            labels: ["reason"])
        budgetRejections = registry.counterFamily(
            "budget_rejections_total", help: "Requests refused before the upstream because a budget was used up, by the budget's scope (thread, account, global).",
            labels: ["scope"])
        for scope in ["thread", "account", "global"] { _ = budgetRejections.labels(scope) }
    }

    // MARK: HTTP

    /// One answered request. `route` must be the route template (or a fixed name such as `unmatched`).
    /// Costs one lookup under a short lock once a (route, method, status) has been seen.
    public func recordRequest(route: String, method: String, status: Int, durationSeconds: Double) {
        let key = RequestKey(route: route, method: method, status: status)
        let series = requestSeries.withLock { $0[key] } ?? resolveRequestSeries(key)
        series.count.increment()
        series.duration.observe(durationSeconds)
    }

    /// Raw request attributes, as the app passes them.
    private struct RequestKey: Hashable, Sendable {
        let route: String
        let method: String
        let status: Int
    }

    /// The series one request updates.
    private struct RequestSeries: Sendable {
        let count: Counter
        let duration: Histogram
    }

    /// Resolved series per raw key; bounded so hostile methods or paths cannot grow it.
    private let requestSeries = Mutex<[RequestKey: RequestSeries]>([:])
    private static let requestSeriesCacheLimit = 4096

    private func resolveRequestSeries(_ key: RequestKey) -> RequestSeries {
        let routeLabel = routes.value(for: key.route)
        let series = RequestSeries(
            count: httpRequests.labels(routeLabel, Self.methodLabel(key.method), Self.statusLabel(key.status)),
            duration: httpRequestDuration.labels(routeLabel))
        requestSeries.withLock { cache in
            if cache.count < Self.requestSeriesCacheLimit { cache[key] = series }
        }
        return series
    }

    /// An SSE response started.
    public func streamOpened() { openStreams.increment() }

    /// An SSE response ended (normally, by error or by client disconnect).
    public func streamClosed() { openStreams.decrement() }

    // MARK: Runs and tokens

    /// One run whose usage was accumulated. `outcome` is e.g. `completed`, `failed`, `cancelled`;
    /// `usageSource` is `upstream` or `estimated`; `costUSD` nil means the model has no known price,
    /// which counts in `threadmeter_unknown_model_runs_total` when the run has tokens. Cached input and
    /// reasoning tokens are parts of the input and output counts, recorded as their own directions.
    public func recordRun(
        outcome: String, usageSource: String, model: String?, inputTokens: Int, outputTokens: Int, costUSD: Double?,
        cachedInputTokens: Int? = nil, reasoningTokens: Int? = nil
    ) {
        runs.labels(outcomes.value(for: outcome), usageSources.value(for: usageSource)).increment()
        let modelLabel = models.value(for: model)
        tokens.labels("input", modelLabel).increment(by: inputTokens)
        tokens.labels("output", modelLabel).increment(by: outputTokens)
        if let cachedInputTokens { tokens.labels("cached_input", modelLabel).increment(by: cachedInputTokens) }
        if let reasoningTokens { tokens.labels("reasoning", modelLabel).increment(by: reasoningTokens) }
        if let costUSD {
            cost.labels(modelLabel).add(costUSD)
        } else if inputTokens + outputTokens > 0 {
            unknownModelRuns.increment()
        }
    }

    // MARK: Threads

    /// The number of tracked threads.
    public func setActiveThreads(_ count: Int) { activeThreads.set(count) }

    /// Threads removed by one eviction pass.
    public func addEvictions(_ count: Int) { evictions.increment(by: count) }

    // MARK: Upstream

    /// An upstream failure; `kind` is a short fixed word such as `timeout`, `http_5xx`, `rate_limited`, `stream_broken`.
    public func recordUpstreamError(kind: String) {
        upstreamErrors.labels(errorKinds.value(for: kind)).increment()
    }

    /// Seconds from starting an upstream run to its first text delta.
    public func observeFirstToken(seconds: Double) { upstreamFirstToken.observe(seconds) }

    /// Takes `x-ratelimit-remaining-{requests,tokens}` and `x-ratelimit-limit-{requests,tokens}` from
    /// upstream response headers (names compared case-insensitively); other or unparsable values are ignored.
    public func setRateLimits(_ headers: [String: String]) {
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard lowered.hasPrefix("x-ratelimit-"),
                  let number = Double(value.trimmingCharacters(in: .whitespaces)), number.isFinite
            else { continue }
            switch lowered {
            case "x-ratelimit-remaining-requests": rateLimitRemaining.labels("requests").set(number)
            case "x-ratelimit-remaining-tokens": rateLimitRemaining.labels("tokens").set(number)
            case "x-ratelimit-limit-requests": rateLimitLimit.labels("requests").set(number)
            case "x-ratelimit-limit-tokens": rateLimitLimit.labels("tokens").set(number)
            default: continue
            }
        }
    }

    // MARK: Budgets

    /// A request refused by a used-up budget of `scope` (`thread`, `account`, `global`; never an id).
    public func recordBudgetRejection(scope: String) {
        budgetRejections.labels(scope).increment()
    }

    // MARK: Storage and export

    /// A failed write or read of the usage store.
    public func recordStorageError() { storageErrors.increment() }

    /// Usage events the webhook shipper had to drop (use as its drop callback).
    public func recordUsageEventsDropped(_ count: Int) { usageEventsDropped.increment(by: count) }

    /// Spans the OTLP exporter dropped; `reason` is one of `SpanExporter.dropReasons`.
    public func recordSpansDropped(_ count: Int, reason: String) { otelSpansDropped.labels(reason).increment(by: count) }

    /// Shows every drop reason at 0 once tracing is on, so a rate() has a series from the start.
    func exposeSpanDropReasons(_ reasons: [String]) {
        for reason in reasons { _ = otelSpansDropped.labels(reason) }
    }

    // MARK: Exposition

    /// The exposition for `GET /metrics` (serve with `PrometheusText.contentType`).
    public func render() -> String { registry.render() }

    // MARK: Label normalisation

    /// Lowercased model name with a dated snapshot suffix (`-2024-07-18`) folded into its alias;
    /// nil or blank → `unknown`.
    public static func normalisedModel(_ model: String?) -> String {
        guard let trimmed = model?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !trimmed.isEmpty else {
            return "unknown"
        }
        let scalars = Array(trimmed.unicodeScalars)
        // "-YYYY-MM-DD" = 11 scalars: dash, 4 digits, dash, 2 digits, dash, 2 digits.
        if scalars.count > 11 {
            let suffix = scalars.suffix(11)
            let pattern = Array("-dddd-dd-dd".unicodeScalars)
            let matches = zip(suffix, pattern).allSatisfy { actual, expected in
                expected == "d" ? ("0"..."9").contains(actual) : actual == expected
            }
            if matches { return String(String.UnicodeScalarView(scalars.dropLast(11))) }
        }
        return trimmed
    }

    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    /// The method in upper case if it is a standard one, else `other`.
    static func methodLabel(_ method: String) -> String {
        if knownMethods.contains(method) { return method }
        let upper = method.uppercased()
        return knownMethods.contains(upper) ? upper : "other"
    }

    /// "100" … "599", made once.
    private static let statusTexts: [String] = (100...599).map(String.init)

    /// The status code as text if it is a valid HTTP status, else `other`.
    static func statusLabel(_ status: Int) -> String {
        (100...599).contains(status) ? statusTexts[status - 100] : "other"
    }
}
