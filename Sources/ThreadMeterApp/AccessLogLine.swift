// One access-log line and one request metric per request, written once when the response ends.
import HTTPServer
import JSONText
import Synchronization
import Telemetry

/// Collects a request's facts as it proceeds; logs them and records the request metric once, when
/// the response ends: at once for a whole body, after the last chunk for a streamed one.
final class AccessLogLine: Sendable {
    private struct State {
        var threadId: String?
        var status = 0
        var logged = false
    }

    private let state = Mutex(State())
    private let method: String
    private let path: String
    private let route: String
    private let requestId: String
    private let started: ContinuousClock.Instant
    private let logger: Logger
    private let metrics: ServiceMetrics

    init(method: String, path: String, route: String, requestId: String, logger: Logger, metrics: ServiceMetrics) {
        self.method = method
        self.path = path
        self.route = route
        self.requestId = requestId
        self.started = .now
        self.logger = logger
        self.metrics = metrics
    }

    deinit {
        // A streamed body the server never ran (the client left first) still gets its line.
        finish()
    }

    func set(threadId: String?) { state.withLock { $0.threadId = threadId } }

    /// `response`, arranged to close this line when it ends.
    func closing(_ response: HTTPResponse) -> HTTPResponse {
        state.withLock { $0.status = response.status }
        guard case .stream(let body) = response.body else {
            finish()
            return response
        }
        var streamed = response
        streamed.body = .stream { writer in
            defer { self.finish() }
            try await body(writer)
        }
        return streamed
    }

    /// Writes the line (only the first call does).
    private func finish() {
        let (threadId, status, first) = state.withLock { s -> (String?, Int, Bool) in
            defer { s.logged = true }
            return (s.threadId, s.status, !s.logged)
        }
        guard first else { return }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.recordRequest(route: route, method: method, status: status, durationSeconds: seconds)
        guard logger.isEnabled(.info) else { return }
        logger.info("\(method) \(path) \(status)", [
            ("request_id", requestId), ("status", String(status)),
            ("duration_ms", Self.milliseconds(seconds)), ("thread_id", threadId ?? "-"),
        ])
    }

    /// `seconds` as milliseconds with two decimals (`1.25`), as `String(format: "%.2f")` wrote them.
    static func milliseconds(_ seconds: Double) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(12)
        DecimalBytes.append(fixed: Int((seconds * 100_000).rounded()), places: 2, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
