// GET /health, /stats, /stats/threads/{id}, /stats/usage, /metrics, /dashboard (contract §3).
import Foundation
import HTTPServer
import HTTPWire
import JSONText
import Metering
import Upstream

/// Read-only views for operators.
struct OperatorHandlers: Sendable {
    let meter: UsageMeter
    let upstream: any RunProvider
    let metrics: ServiceMetrics
    let assistantIdSet: Bool

    static let maxLimit = 1000
    static let defaultLimit = 100

    func health() async -> HTTPResponse {
        // No hop onto the registry actor: /health is polled often and must stay cheap.
        let totals = meter.latestTotals
        let healthy = meter.isHealthy
        let body = HealthBody(
            healthy: healthy, timestampMillis: Self.nowMillis(), activeThreads: totals.threads, totalTokensTracked: totals.totalTokens,
            assistantIdSet: assistantIdSet, upstreamKind: upstream.kind, storageBackend: meter.backendName
        )
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: healthy ? 200 : 503, headers: headers, body: .bytes(body.bytes))
    }

    func stats(_ request: HTTPRequest) async -> HTTPResponse {
        var limit = Self.defaultLimit
        if let raw = request.queryValue("limit") {
            guard let n = Int(raw), n >= 0 else {
                return APIError.badRequest("limit must be a non-negative integer, got '\(raw)'").response
            }
            limit = min(n, Self.maxLimit)
        }
        let threads: [ThreadUsageSnapshot]
        let totals: UsageTotals
        do {
            if let id = request.queryValue("thread_id") {
                threads = (try await meter.snapshot(threadId: id)).map { [$0] } ?? []
                totals = try await meter.totals()
            } else {
                (totals, threads) = try await meter.overview(limit: limit)
            }
        } catch {
            return Self.storageUnavailable(error)
        }
        let rateLimits = upstream.rateLimitSnapshot()
        metrics.setActiveThreads(totals.threads)
        let body = JSONValue.object([
            ("timestamp", .double(Self.now())),
            ("statistics", .object([
                ("total_threads", .int(totals.threads)),
                ("total_input_tokens", .int(totals.inputTokens)),
                ("total_output_tokens", .int(totals.outputTokens)),
                ("total_tokens_across_all_threads", .int(totals.totalTokens)),
                ("total_estimated_cost_usd", .double(roundedUSD(totals.costUSD) ?? 0)),
                ("threads", .object(threads.map { ($0.threadId, Self.threadObject($0)) })),
                ("upstream_rate_limits", .object(rateLimits.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ])),
        ])
        return .json(body)
    }

    func thread(_ id: String) async -> HTTPResponse {
        guard ThreadIdentifier.isWellFormed(id) else {
            return APIError.badRequest("thread id must match ^[A-Za-z0-9_-]{1,64}$").response
        }
        let found: ThreadUsageSnapshot?
        do {
            found = try await meter.snapshot(threadId: id)
        } catch {
            return Self.storageUnavailable(error)
        }
        guard let snapshot = found else {
            return APIError.notFound("thread '\(id)' is not tracked").response
        }
        guard case .object(let fields) = Self.threadObject(snapshot) else { return APIError.notFound(id).response }
        return .json(.object([("thread_id", .string(id))] + fields))
    }

    func usage(_ request: HTTPRequest) async -> HTTPResponse {
        var since: Double?
        var until: Double?
        do throws(UsageTime.ParseError) {
            if let text = request.queryValue("since") { since = try UsageTime.parse(text, name: "since") }
            if let text = request.queryValue("until") { until = try UsageTime.parse(text, name: "until") }
        } catch {
            return APIError.badRequest(error.description).response
        }
        let groupName = request.queryValue("group_by") ?? "day"
        guard let grouping = UsageGrouping(rawValue: groupName) else {
            return APIError.badRequest("group_by must be account, model or day; got '\(groupName)'").response
        }
        do {
            let buckets = try await meter.usageHistory(since: since, until: until, groupBy: grouping)
            return .json(UsageReport.json(buckets, grouping: grouping, since: since, until: until))
        } catch {
            return APIError(.storageError, "usage history unavailable: \(error)").response
        }
    }

    func renderMetrics() async -> HTTPResponse {
        if let totals = try? await meter.totals() { metrics.setActiveThreads(totals.threads) }
        metrics.setRateLimits(upstream.rateLimitSnapshot())
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        return HTTPResponse(status: 200, headers: headers, body: .bytes(Array(metrics.render().utf8)))
    }

    /// One of the self-contained pages (`/`, `/dashboard`): inline script and style only.
    func page(_ html: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Content-Security-Policy", value: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:")
        return HTTPResponse(status: 200, headers: headers, body: .bytes(Array(html.utf8)))
    }

    /// 503 `storage_error`: the usage store could not be read (a shared store unreachable).
    static func storageUnavailable(_ error: any Error) -> HTTPResponse {
        APIError(.storageError, "usage store unavailable: \(error)").response
    }

    static func threadObject(_ t: ThreadUsageSnapshot) -> JSONValue {
        .object([
            ("input_tokens", .int(t.usage.inputTokens)),
            ("output_tokens", .int(t.usage.outputTokens)),
            ("total_tokens", .int(t.usage.totalTokens)),
            ("runs", .int(t.runs)),
            ("last_activity", .double(t.lastActivity)),
            ("account", .optional(t.account)),
            ("estimated_cost_usd", .optional(roundedUSD(t.costUSD))),
        ])
    }

    static func now() -> Double { Double(nowMillis()) / 1000 }

    /// Unix time in whole milliseconds.
    static func nowMillis() -> Int { Int((Date().timeIntervalSince1970 * 1000).rounded()) }
}
