// Exports finished spans over OTLP/HTTP in batches from a bounded queue, never delaying the caller.
import Foundation
import Telemetry

/// Queues finished spans and posts them in batches to the configured OTLP endpoint.
///
/// `export` is O(1) under a short lock and never waits for the network: a full queue drops the
/// span and counts it. A `BatchShipper` sends a batch when `batchSize` spans wait or `flushInterval`
/// after the first one, retries failures with backoff (OTLP/HTTP: 429, 502, 503, 504 and network
/// errors are retryable; other statuses are not) and reports drops to `onDrop` with a low-cardinality
/// reason: `queue_full`, `export_failed` or `shutdown`.
public final class SpanExporter: Sendable {
    public let configuration: TracingConfiguration
    private let shipper: BatchShipper<Span>
    private let transport: any OTLPTransport

    public init(
        configuration: TracingConfiguration, transport: any OTLPTransport, logger: Logger,
        onDrop: @escaping @Sendable (_ count: Int, _ reason: String) -> Void
    ) {
        self.configuration = configuration
        self.transport = transport
        let logger = logger.labelled("otlp-exporter")
        let encoder = OTLPEncoder(serviceName: configuration.serviceName)
        let headers = [TracingConfiguration.Header("Content-Type", configuration.wireProtocol.contentType)] + configuration.headers
        shipper = BatchShipper(
            policy: configuration.batching, label: "threadmeter.otlp-exporter",
            send: { spans in
                let result = await transport.post(url: configuration.endpoint, headers: headers, body: encoder.encode(spans, as: configuration.wireProtocol), timeout: configuration.requestTimeout)
                return Self.classify(result, spans: spans.count, logger: logger)
            },
            onDrop: { count, reason in
                let label = Self.dropLabel(reason)
                onDrop(count, label)
                if reason != .queueFull {
                    logger.warning("spans dropped", [("spans", String(count)), ("reason", label)])
                }
            })
    }

    /// Queues a finished span. Returns false when it was dropped (queue full, or shut down).
    @discardableResult
    public func export(_ span: Span) -> Bool {
        shipper.enqueue(span)
    }

    /// Spans waiting or in flight.
    public var pendingCount: Int { shipper.pendingCount }

    /// Sends what is queued now and waits until it is delivered or dropped, at most `timeout`.
    public func flush(timeout: Duration) async -> Bool {
        await shipper.drain(timeout: timeout)
    }

    /// Refuses new spans and flushes what is queued for up to `flushTimeout`; what is left is
    /// dropped and counted (`shutdown`).
    public func shutdown(flushTimeout: Duration) async {
        await shipper.shutdown(timeout: flushTimeout)
        transport.shutdown()
    }

    /// Every drop reason label, for pre-creating the metric series.
    public static let dropReasons = ["queue_full", "export_failed", "shutdown"]

    static func dropLabel(_ reason: BatchShipper<Span>.DropReason) -> String {
        switch reason {
        case .queueFull: "queue_full"
        case .rejected, .retriesExhausted: "export_failed"
        case .shutdown: "shutdown"
        }
    }

    /// OTLP/HTTP §"Failures": 429, 502, 503 and 504 are retryable, other non-2xx statuses are not.
    static func classify(_ result: OTLPPostResult, spans: Int, logger: Logger) -> BatchShipper<Span>.SendOutcome {
        switch result {
        case .status(let status, _) where (200..<300).contains(status):
            return .delivered
        case .status(let status, let retryAfter) where [429, 502, 503, 504].contains(status):
            logger.debug("OTLP receiver answered \(status); will retry", [("spans", String(spans))])
            return .retryable(retryAfter: retryAfter)
        case .status(let status, _):
            logger.warning("OTLP receiver refused the export with \(status)", [("spans", String(spans))])
            return .rejected
        case .failed(let reason):
            logger.debug("OTLP export failed; will retry", [("spans", String(spans)), ("error", reason)])
            return .retryable(retryAfter: nil)
        }
    }
}
