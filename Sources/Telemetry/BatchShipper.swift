// Drives a BatchShipperState: timers on a private queue, sends through a closure, drops reported by reason.
import Dispatch
import Synchronization

/// Ships items in batches off the request path (usage events to a webhook, spans to an OTLP
/// receiver).
///
/// `enqueue` is synchronous, O(1) and never blocks on I/O: it appends to a bounded queue under a
/// short lock. Batching, retries with backoff and dropping are decided by `BatchShipperState`; this
/// class runs its timers on a private serial queue and calls `send` for each batch, one at a time.
/// Every dropped item is reported to `onDrop` with its reason.
public final class BatchShipper<Item: Sendable>: Sendable {
    public typealias Policy = BatchShipperState<Item>.Policy
    public typealias SendOutcome = BatchShipperState<Item>.SendOutcome
    /// Delivers one batch and says how that went. May take as long as its own timeout allows.
    public typealias Send = @Sendable ([Item]) async -> SendOutcome

    /// Why items were dropped.
    public enum DropReason: String, Sendable, CaseIterable {
        /// Refused at `enqueue`: the queue was full or the shipper shut down.
        case queueFull = "queue_full"
        /// The receiver refused the batch with a status that retrying will not change.
        case rejected
        /// Every attempt failed (network error, timeout, 408, 429, 5xx).
        case retriesExhausted = "retries_exhausted"
        /// Still queued when `shutdown` gave up waiting.
        case shutdown
    }

    public let policy: Policy
    private let state: Mutex<BatchShipperState<Item>>
    private let send: Send
    private let onDrop: @Sendable (Int, DropReason) -> Void
    private let timers: DispatchQueue

    public init(policy: Policy, label: String, send: @escaping Send, onDrop: @escaping @Sendable (Int, DropReason) -> Void) {
        self.policy = policy
        self.state = Mutex(BatchShipperState(policy: policy))
        self.send = send
        self.onDrop = onDrop
        self.timers = DispatchQueue(label: label)
    }

    /// Queues one item. Returns false (and reports a `queueFull` drop) when the queue is full or
    /// the shipper is shut down. Never blocks on I/O.
    @discardableResult
    public func enqueue(_ item: Item) -> Bool {
        let result = state.withLock { $0.enqueue(item) }
        if !result.accepted { onDrop(1, .queueFull) }
        perform(result.action)
        return result.accepted
    }

    /// Items waiting or in flight.
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

    /// Refuses new items, drains for up to `timeout`, then drops (and reports) whatever is left.
    /// Returns how many items that was.
    @discardableResult
    public func shutdown(timeout: Duration) async -> Int {
        state.withLock { $0.close() }
        guard await !drain(timeout: timeout) else { return 0 }
        let dropped = state.withLock { $0.discardAll() }
        if dropped > 0 { onDrop(dropped, .shutdown) }
        return dropped
    }

    private func perform(_ action: BatchShipperState<Item>.Action) {
        switch action {
        case .none:
            return
        case let .scheduleFlush(seconds, immediate):
            timers.asyncAfter(deadline: .now() + seconds) { @Sendable [self] in
                perform(state.withLock { $0.flushTimerFired(immediate: immediate) })
            }
        case .scheduleRetry(let seconds):
            // Jitter spreads the retries of several replicas hitting the same receiver.
            let delay = seconds * Double.random(in: 0.8...1.0)
            timers.asyncAfter(deadline: .now() + delay) { @Sendable [self] in
                perform(state.withLock { $0.retryTimerFired() })
            }
        case .send(let batch):
            Task { [self] in
                let outcome = await send(batch)
                let finished = state.withLock { $0.sendFinished(outcome) }
                if finished.dropped > 0 { onDrop(finished.dropped, outcome == .rejected ? .rejected : .retriesExhausted) }
                perform(finished.action)
            }
        }
    }
}
