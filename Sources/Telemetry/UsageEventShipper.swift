// Posts usage events in batches to an HTTP collector (Splunk HEC-compatible), off the request path.
import Foundation
import Synchronization

/// Ships `UsageEvent`s to `USAGE_WEBHOOK_URL` as newline-separated HEC events.
///
/// `enqueue` is synchronous, O(1) and never blocks on the network: a `BatchShipper` queues,
/// batches, retries with backoff and drops; this class posts each batch through a
/// `UsageWebhookTransport` (the service's: its own HTTP client on the event loops). Every
/// dropped event is reported to `onDrop` (wire it to `threadmeter_usage_events_dropped_total`) and
/// logged.
public final class UsageEventShipper: Sendable {
    public let configuration: Configuration
    private let logger: Logger
    private let shipper: BatchShipper<UsageEvent>
    private let poster: Poster

    public init(configuration: Configuration, transport: any UsageWebhookTransport, logger: Logger,
                onDrop: @escaping @Sendable (Int) -> Void) {
        self.configuration = configuration
        let logger = logger.labelled("usage-shipper")
        self.logger = logger
        let poster = Poster(configuration: configuration, transport: transport, logger: logger)
        self.poster = poster
        let refusedCount = Atomic<Int>(0)
        let capacity = configuration.queueCapacity
        self.shipper = BatchShipper(
            policy: configuration.policy, label: "threadmeter.usage-shipper",
            send: { batch in await poster.post(batch) },
            onDrop: { count, reason in
                onDrop(count)
                guard reason == .queueFull else {
                    logger.error("usage events dropped", [("events", String(count)), ("reason", Self.describe(reason))])
                    return
                }
                // One warning for the first refusal and one per thousand after it, not one per event.
                let refused = refusedCount.add(count, ordering: .relaxed).newValue
                if refused == 1 || refused.isMultiple(of: 1_000) {
                    logger.warning("usage events refused: queue full or shipper closed",
                                   [("refused_total", String(refused)), ("queue_capacity", String(capacity))])
                }
            })
    }

    /// Queues one event for shipping. Returns false (and counts a drop) when the queue is full or
    /// the shipper is shut down. Never blocks on I/O.
    @discardableResult
    public func enqueue(_ event: UsageEvent) -> Bool {
        shipper.enqueue(event)
    }

    /// Events waiting or in flight.
    public var pendingCount: Int { shipper.pendingCount }

    /// Sends what is queued without waiting for the flush interval and waits until nothing is
    /// pending or `timeout` has passed. Returns whether everything was delivered or dropped.
    public func drain(timeout: Duration) async -> Bool {
        await shipper.drain(timeout: timeout)
    }

    /// Refuses new events, drains for up to `timeout`, then drops (and counts) whatever is left.
    public func shutdown(timeout: Duration) async {
        await shipper.shutdown(timeout: timeout)
        poster.close()
    }

    private static func describe(_ reason: BatchShipper<UsageEvent>.DropReason) -> String {
        switch reason {
        case .queueFull: "queue full"
        case .rejected: "collector rejected the batch"
        case .retriesExhausted: "retries exhausted"
        case .shutdown: "shutdown before delivery"
        }
    }

    /// Posts batches through the transport until closed.
    private final class Poster: Sendable {
        let configuration: Configuration
        let transport: any UsageWebhookTransport
        let logger: Logger
        /// True once closed: a retry that comes after shutdown is not posted.
        let closed = Mutex(false)

        init(configuration: Configuration, transport: any UsageWebhookTransport, logger: Logger) {
            self.configuration = configuration
            self.transport = transport
            self.logger = logger
        }

        func close() {
            closed.withLock { $0 = true }
            transport.shutdown()
        }

        func post(_ batch: [UsageEvent]) async -> BatchShipper<UsageEvent>.SendOutcome {
            guard !closed.withLock({ $0 }) else { return .rejected }
            var headers = [("Content-Type", "application/json")]
            if let token = configuration.token { headers.append(("Authorization", "Splunk \(token)")) }
            let host = configuration.host, source = configuration.source
            let body = Array(batch.map { $0.hecJSON(host: host, source: source) }.joined(separator: "\n").utf8)
            let result = await transport.post(url: configuration.url, headers: headers, body: body)
            return UsageEventShipper.classify(result, count: batch.count, logger: logger)
        }
    }

    static func classify(_ result: UsageWebhookPostResult, count: Int, logger: Logger) -> BatchShipper<UsageEvent>.SendOutcome {
        switch result {
        case .failed(let reason):
            logger.warning("usage webhook post failed", [("error", reason), ("events", String(count))])
            return .retryable(retryAfter: nil)
        case .answered(let status, let retryAfter, let body):
            if (200..<300).contains(status) { return .delivered }
            let snippet = String(decoding: body.prefix(200), as: UTF8.self)
            if status == 408 || status == 429 || status >= 500 {
                logger.warning("usage webhook answered \(status); will retry", [("events", String(count)), ("body", snippet)])
                return .retryable(retryAfter: retryAfter)
            }
            logger.error("usage webhook refused the batch with \(status)", [("events", String(count)), ("body", snippet)])
            return .rejected
        }
    }
}
