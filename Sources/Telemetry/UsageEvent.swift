// One completed run's usage, as exported to a log pipeline (Splunk HEC event shape).
import Foundation

/// The usage of one run, emitted once when the run's usage is accumulated.
/// Encodes as a Splunk HTTP Event Collector event with `sourcetype` `threadmeter:usage`.
public struct UsageEvent: Sendable, Equatable {
    /// When the run ended.
    public var time: Date
    public var threadId: String
    /// The upstream run (or response) id; nil when the run failed before the upstream named it.
    public var runId: String?
    /// The customer account given with the query (`accountName`), if any.
    public var account: String?
    /// The model the upstream reported, if any.
    public var model: String?
    public var inputTokens: Int
    public var outputTokens: Int
    /// The cached part of `inputTokens` (Responses upstream only).
    public var cachedInputTokens: Int?
    /// The reasoning part of `outputTokens` (Responses upstream only).
    public var reasoningTokens: Int?
    /// Estimated cost in US dollars; nil for a model without a known price.
    public var costUSD: Double?
    /// `upstream` or `estimated`.
    public var usageSource: String
    /// Whether the client asked for an SSE stream.
    public var streaming: Bool
    /// How the run ended: `completed`, `failed`, `incomplete`, `cancelled`, `expired`, …
    public var status: String
    /// The HTTP request id (`X-Request-Id`) that started the run, for correlation with logs.
    public var requestId: String?
    /// Set for a budget event (`budget_warning`, `budget_exceeded`) instead of a run's usage.
    public var budgetAlert: BudgetAlert?

    public init(
        time: Date, threadId: String, runId: String?, account: String?, model: String?,
        inputTokens: Int, outputTokens: Int, cachedInputTokens: Int? = nil, reasoningTokens: Int? = nil,
        costUSD: Double?, usageSource: String, streaming: Bool, status: String, requestId: String? = nil
    ) {
        self.time = time
        self.threadId = threadId
        self.runId = runId
        self.account = account
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
        self.costUSD = costUSD
        self.usageSource = usageSource
        self.streaming = streaming
        self.status = status
        self.requestId = requestId
    }

    /// `inputTokens + outputTokens` (cached and reasoning tokens are already inside them).
    public var totalTokens: Int { inputTokens + outputTokens }

    /// The HEC `sourcetype` of usage events.
    public static let sourceType = "threadmeter:usage"

    /// One HEC event as a single JSON line (no newline):
    /// `{"time":1706745600.123,"host":…,"source":"threadmeter","sourcetype":"threadmeter:usage","event":{…}}`.
    /// `host` is left out when nil; absent optional values are `null`, except the cached/reasoning
    /// details, which are left out when the upstream does not report them.
    public func hecJSON(host: String? = nil, source: String = "threadmeter") -> String {
        if let budgetAlert { return budgetHEC(budgetAlert, host: host, source: source) }
        var line = "{\"time\":\(String(format: "%.3f", time.timeIntervalSince1970))"
        if let host { line += ",\"host\":\(Self.json(host))" }
        line += ",\"source\":\(Self.json(source)),\"sourcetype\":\(Self.json(Self.sourceType)),\"event\":{"
        line += "\"thread_id\":\(Self.json(threadId))"
        line += ",\"run_id\":\(Self.json(runId))"
        line += ",\"account\":\(Self.json(account))"
        line += ",\"model\":\(Self.json(model))"
        line += ",\"input_tokens\":\(inputTokens),\"output_tokens\":\(outputTokens),\"total_tokens\":\(totalTokens)"
        if let cachedInputTokens { line += ",\"cached_input_tokens\":\(cachedInputTokens)" }
        if let reasoningTokens { line += ",\"reasoning_tokens\":\(reasoningTokens)" }
        line += ",\"estimated_cost_usd\":\(costUSD.flatMap(Self.jsonNumber) ?? "null")"
        line += ",\"usage_source\":\(Self.json(usageSource))"
        line += ",\"streaming\":\(streaming)"
        line += ",\"status\":\(Self.json(status))"
        if let requestId { line += ",\"request_id\":\(Self.json(requestId))" }
        line += "}}"
        return line
    }

    /// The same fields as ordered log metadata, so a `LOG_FORMAT=json` usage line carries them as
    /// JSON numbers and strings (`event=usage thread_id=… input_tokens=89 …`).
    public var logMetadata: [(String, String)] {
        if let budgetAlert { return budgetLogMetadata(budgetAlert) }
        var pairs: [(String, String)] = [("event", "usage"), ("thread_id", threadId)]
        if let runId { pairs.append(("run_id", runId)) }
        if let account { pairs.append(("account", account)) }
        pairs.append(("model", model ?? "unknown"))
        pairs.append(("input_tokens", String(inputTokens)))
        pairs.append(("output_tokens", String(outputTokens)))
        pairs.append(("total_tokens", String(totalTokens)))
        if let cachedInputTokens { pairs.append(("cached_input_tokens", String(cachedInputTokens))) }
        if let reasoningTokens { pairs.append(("reasoning_tokens", String(reasoningTokens))) }
        if let cost = costUSD, cost.isFinite { pairs.append(("estimated_cost_usd", Self.fixedPoint(cost))) }
        pairs.append(("usage_source", usageSource))
        pairs.append(("streaming", String(streaming)))
        pairs.append(("status", status))
        if let requestId { pairs.append(("request_id", requestId)) }
        return pairs
    }

    private static func json(_ value: String?) -> String {
        value.map(LogLineFormatter.jsonString) ?? "null"
    }

    /// A finite number in JSON syntax (Prometheus' number format is valid JSON for finite values,
    /// `5.3e-05` included); nil for NaN or infinity.
    private static func jsonNumber(_ value: Double) -> String? {
        value.isFinite ? PrometheusText.formatValue(value) : nil
    }

    /// Up to ten decimals without exponent or trailing zeros (`0.000053`), for log metadata.
    static func fixedPoint(_ value: Double) -> String {
        var text = String(format: "%.10f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
