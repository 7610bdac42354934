// Posts usage events in batches to an HTTP collector (Splunk HEC-compatible), off the request path.
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Ships `UsageEvent`s to `USAGE_WEBHOOK_URL` as newline-separated HEC events.
///
/// `enqueue` is synchronous, O(1) and never blocks on the network: it appends to a bounded queue
/// under a short lock. Batching, retries with backoff and dropping are decided by
/// `UsageShipperState`; this class runs its timers on a private serial queue and posts with
/// URLSession. Every dropped event is reported to `onDrop` (wire it to
/// `threadmeter_usage_events_dropped_total`) and logged.
public final class UsageEventShipper: Sendable {
    public let configuration: Configuration
    private let logger: Logger
    private let onDrop: @Sendable (Int) -> Void
    private let state: Mutex<UsageShipperState<UsageEvent>>
    private let timers = DispatchQueue(label: "threadmeter.usage-shipper")
    private let session: URLSession
    /// True once the session is invalidated: no task may be created after that (URLSession traps).
    private let sessionClosed = Mutex(false)
    private let refusedCount = Atomic<Int>(0)

    public init(configuration: Configuration, logger: Logger, onDrop: @escaping @Sendable (Int) -> Void) {
        self.configuration = configuration
        self.logger = logger.labelled("usage-shipper")
        self.onDrop = onDrop
        self.state = Mutex(UsageShipperState(policy: configuration.policy))
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
        sessionConfiguration.timeoutIntervalForResource = configuration.requestTimeout * 2
        sessionConfiguration.httpMaximumConnectionsPerHost = 2
        self.session = URLSession(configuration: sessionConfiguration)
    }

    /// Queues one event for shipping. Returns false (and counts a drop) when the queue is full or
    /// the shipper is shut down. Never blocks on I/O.
    @discardableResult
    public func enqueue(_ event: UsageEvent) -> Bool {
        let result = state.withLock { $0.enqueue(event) }
        if !result.accepted {
            onDrop(1)
            // One warning for the first refusal and one per thousand after it, not one per event.
            let refused = refusedCount.add(1, ordering: .relaxed).newValue
            if refused == 1 || refused.isMultiple(of: 1_000) {
                logger.warning("usage events refused: queue full or shipper closed",
                               [("refused_total", String(refused)), ("queue_capacity", String(configuration.queueCapacity))])
            }
        }
        perform(result.action)
        return result.accepted
    }

    /// Events waiting or in flight.
    public var pendingCount: Int { state.withLock { $0.pendingCount } }

    /// Sends what is queued without waiting for the flush interval and waits until nothing is
    /// pending or `timeout` has passed. Returns whether everything was delivered or dropped.
    public func drain(timeout: Duration) async -> Bool {
        perform(state.withLock { $0.flushNow() })
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if state.withLock({ $0.isIdle }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return state.withLock { $0.isIdle }
    }

    /// Refuses new events, drains for up to `timeout`, then drops (and counts) whatever is left.
    public func shutdown(timeout: Duration) async {
        state.withLock { $0.close() }
        let drained = await drain(timeout: timeout)
        if !drained {
            let dropped = state.withLock { $0.discardAll() }
            if dropped > 0 { reportDrop(dropped, reason: "shutdown before delivery") }
        }
        sessionClosed.withLock { closed in
            closed = true
            session.finishTasksAndInvalidate()
        }
    }

    // MARK: Actions

    private func perform(_ action: UsageShipperState<UsageEvent>.Action) {
        switch action {
        case .none:
            return
        case let .scheduleFlush(seconds, immediate):
            timers.asyncAfter(deadline: .now() + seconds) { @Sendable [self] in
                perform(state.withLock { $0.flushTimerFired(immediate: immediate) })
            }
        case .scheduleRetry(let seconds):
            // Jitter spreads the retries of several replicas hitting the same collector.
            let delay = seconds * Double.random(in: 0.8...1.0)
            timers.asyncAfter(deadline: .now() + delay) { @Sendable [self] in
                perform(state.withLock { $0.retryTimerFired() })
            }
        case .send(let batch):
            post(batch)
        }
    }

    private func post(_ batch: [UsageEvent]) {
        var request = URLRequest(url: configuration.url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token = configuration.token {
            request.setValue("Splunk \(token)", forHTTPHeaderField: "Authorization")
        }
        let host = configuration.host, source = configuration.source
        request.httpBody = Data(batch.map { $0.hecJSON(host: host, source: source) }.joined(separator: "\n").utf8)
        let count = batch.count
        // A retry timer may fire after shutdown invalidated the session; creating a task then would trap.
        let started = sessionClosed.withLock { closed -> Bool in
            guard !closed else { return false }
            session.dataTask(with: request) { @Sendable [self] data, response, error in
                let outcome = classify(response: response, error: error, body: data, count: count)
                let finished = state.withLock { $0.sendFinished(outcome) }
                if finished.dropped > 0 {
                    reportDrop(finished.dropped, reason: outcome == .rejected ? "collector rejected the batch" : "retries exhausted")
                }
                perform(finished.action)
            }.resume()
            return true
        }
        if !started {
            let dropped = state.withLock { $0.discardAll() }
            if dropped > 0 { reportDrop(dropped, reason: "shutdown before delivery") }
        }
    }

    private func classify(response: URLResponse?, error: (any Error)?, body: Data?, count: Int) -> UsageShipperState<UsageEvent>.SendOutcome {
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

    private func reportDrop(_ count: Int, reason: String) {
        onDrop(count)
        logger.error("usage events dropped", [("events", String(count)), ("reason", reason)])
    }
}
