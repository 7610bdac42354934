// Posts usage events in batches to an HTTP collector (Splunk HEC-compatible), off the request path.
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Ships `UsageEvent`s to `USAGE_WEBHOOK_URL` as newline-separated HEC events.
///
/// `enqueue` is synchronous, O(1) and never blocks on the network: a `BatchShipper` queues,
/// batches, retries with backoff and drops; this class posts each batch with URLSession. Every
/// dropped event is reported to `onDrop` (wire it to `threadmeter_usage_events_dropped_total`) and
/// logged.
public final class UsageEventShipper: Sendable {
    public let configuration: Configuration
    private let logger: Logger
    private let shipper: BatchShipper<UsageEvent>
    private let poster: Poster

    public init(configuration: Configuration, logger: Logger, onDrop: @escaping @Sendable (Int) -> Void) {
        self.configuration = configuration
        let logger = logger.labelled("usage-shipper")
        self.logger = logger
        let poster = Poster(configuration: configuration, logger: logger)
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

    /// Posts batches with URLSession until closed.
    private final class Poster: Sendable {
        let configuration: Configuration
        let logger: Logger
        let session: URLSession
        /// True once the session is invalidated: no task may be created after that (URLSession traps).
        let closed = Mutex(false)

        init(configuration: Configuration, logger: Logger) {
            self.configuration = configuration
            self.logger = logger
            let sessionConfiguration = URLSessionConfiguration.ephemeral
            sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
            sessionConfiguration.timeoutIntervalForResource = configuration.requestTimeout * 2
            sessionConfiguration.httpMaximumConnectionsPerHost = 2
            self.session = URLSession(configuration: sessionConfiguration)
        }

        func close() {
            closed.withLock { closed in
                closed = true
                session.finishTasksAndInvalidate()
            }
        }

        func post(_ batch: [UsageEvent]) async -> BatchShipper<UsageEvent>.SendOutcome {
            var request = URLRequest(url: configuration.url)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let token = configuration.token {
                request.setValue("Splunk \(token)", forHTTPHeaderField: "Authorization")
            }
            let host = configuration.host, source = configuration.source
            request.httpBody = Data(batch.map { $0.hecJSON(host: host, source: source) }.joined(separator: "\n").utf8)
            let count = batch.count, logger = logger
            return await withCheckedContinuation { continuation in
                // A retry may come after shutdown invalidated the session; creating a task then would trap.
                let started = closed.withLock { closed -> Bool in
                    guard !closed else { return false }
                    session.dataTask(with: request) { @Sendable data, response, error in
                        continuation.resume(returning: UsageEventShipper.classify(response: response, error: error, body: data, count: count, logger: logger))
                    }.resume()
                    return true
                }
                if !started { continuation.resume(returning: .rejected) }
            }
        }
    }

    fileprivate static func classify(
        response: URLResponse?, error: (any Error)?, body: Data?, count: Int, logger: Logger
    ) -> BatchShipper<UsageEvent>.SendOutcome {
        if let error {
            logger.warning("usage webhook post failed", [("error", String(describing: error)), ("events", String(count))])
            return .retryable(retryAfter: nil)
        }
        guard let http = response as? HTTPURLResponse else {
            logger.warning("usage webhook answered without an HTTP response", [("events", String(count))])
            return .retryable(retryAfter: nil)
        }
        let status = http.statusCode
        if (200..<300).contains(status) { return .delivered }
        let snippet = String(decoding: (body ?? Data()).prefix(200), as: UTF8.self)
        if status == 408 || status == 429 || status >= 500 {
            let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            logger.warning("usage webhook answered \(status); will retry", [("events", String(count)), ("body", snippet)])
            return .retryable(retryAfter: retryAfter)
        }
        logger.error("usage webhook refused the batch with \(status)", [("events", String(count)), ("body", snippet)])
        return .rejected
    }
}
