// The batching, retry and drop decisions of a batch shipper (usage events, trace spans), as a value type without I/O.

/// Decides when to send which batch, when to retry and what to drop. `BatchShipper` performs the
/// returned actions (timers, sends) and reports back; this type never blocks or sleeps.
///
/// At most one batch is in flight. Events wait in a bounded queue; when it is full new events are
/// refused (counted as drops). A batch is sent when `batchSize` events are waiting or
/// `flushInterval` after the first one arrived. A failed send is retried with exponential
/// backoff (honouring `Retry-After`) up to `maxAttempts` attempts, then dropped.
public struct BatchShipperState<Event> {
    public typealias Policy = BatchPolicy

    public enum Action {
        case none
        /// Call `flushTimerFired(immediate:)` after `seconds`.
        case scheduleFlush(after: Double, immediate: Bool)
        /// Post these events; report with `sendFinished`.
        case send([Event])
        /// Call `retryTimerFired()` after `seconds`.
        case scheduleRetry(after: Double)
    }

    /// How a post ended.
    public enum SendOutcome: Equatable, Sendable {
        case delivered
        /// Network error, timeout, 408, 429 or 5xx: worth another attempt.
        case retryable(retryAfter: Double?)
        /// Any other status: the collector refused the batch; retrying will not help.
        case rejected
    }

    public let policy: Policy
    private var queue = FIFOQueue<Event>()
    public private(set) var inFlight: [Event]?
    private var attempts = 0
    private var delayedFlushArmed = false
    private var immediateFlushArmed = false
    public private(set) var closed = false

    public init(policy: Policy) {
        precondition(policy.capacity > 0 && policy.batchSize > 0 && policy.maxAttempts > 0, "usage shipper limits must be positive")
        self.policy = policy
    }

    /// Events waiting or in flight.
    public var pendingCount: Int { queue.count + (inFlight?.count ?? 0) }

    /// Nothing waiting and nothing in flight.
    public var isIdle: Bool { queue.isEmpty && inFlight == nil }

    /// Queues `event` unless the queue is full or the shipper is closed. O(1): never takes a batch.
    public mutating func enqueue(_ event: Event) -> (accepted: Bool, action: Action) {
        guard !closed, queue.count < policy.capacity else { return (false, .none) }
        queue.append(event)
        guard inFlight == nil else { return (true, .none) }
        if queue.count >= policy.batchSize, !immediateFlushArmed {
            immediateFlushArmed = true
            return (true, .scheduleFlush(after: 0, immediate: true))
        }
        if !delayedFlushArmed, !immediateFlushArmed {
            delayedFlushArmed = true
            return (true, .scheduleFlush(after: policy.flushInterval, immediate: false))
        }
        return (true, .none)
    }

    /// A flush timer went off: send a batch if none is in flight.
    public mutating func flushTimerFired(immediate: Bool) -> Action {
        if immediate { immediateFlushArmed = false } else { delayedFlushArmed = false }
        return sendNextBatchIfIdle()
    }

    /// Sends what is waiting now instead of waiting for the flush interval (used when draining).
    public mutating func flushNow() -> Action {
        sendNextBatchIfIdle()
    }

    /// The backoff after a failed attempt has elapsed: send the same batch again.
    public mutating func retryTimerFired() -> Action {
        guard let batch = inFlight else { return .none }
        return .send(batch)
    }

    /// The in-flight post ended. Returns how many events were dropped and what to do next.
    public mutating func sendFinished(_ outcome: SendOutcome) -> (dropped: Int, action: Action) {
        guard let batch = inFlight else { return (0, .none) }
        switch outcome {
        case .delivered:
            finishBatch()
            return (0, sendNextBatchIfIdle())
        case .rejected:
            finishBatch()
            return (batch.count, sendNextBatchIfIdle())
        case .retryable(let retryAfter):
            attempts += 1
            guard attempts < policy.maxAttempts else {
                finishBatch()
                return (batch.count, sendNextBatchIfIdle())
            }
            return (0, .scheduleRetry(after: backoff(afterAttempt: attempts, retryAfter: retryAfter)))
        }
    }

    /// Refuses further events; what is queued is still delivered.
    public mutating func close() {
        closed = true
    }

    /// Drops everything still queued or in flight; returns how many events that was.
    public mutating func discardAll() -> Int {
        let dropped = pendingCount
        _ = queue.removeFirst(upTo: queue.count)
        inFlight = nil
        attempts = 0
        return dropped
    }

    /// `initialBackoff · 2^(attempt-1)`, at most `maxBackoff`, and never shorter than a
    /// `Retry-After` (itself capped at `maxBackoff`).
    public func backoff(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        let exponential = policy.initialBackoff * Double(1 << min(attempt - 1, 30))
        let base = min(exponential, policy.maxBackoff)
        guard let retryAfter, retryAfter.isFinite, retryAfter > 0 else { return base }
        return max(base, min(retryAfter, policy.maxBackoff))
    }

    private mutating func finishBatch() {
        inFlight = nil
        attempts = 0
    }

    private mutating func sendNextBatchIfIdle() -> Action {
        guard inFlight == nil, !queue.isEmpty else { return .none }
        let batch = queue.removeFirst(upTo: policy.batchSize)
        inFlight = batch
        return .send(batch)
    }
}

extension BatchShipperState.Action: Equatable where Event: Equatable {}
extension BatchShipperState.Action: Sendable where Event: Sendable {}

/// How a batch shipper queues, batches and retries.
public struct BatchPolicy: Sendable, Equatable {
    /// Items waiting at most; further items are dropped (and counted) while it is full.
    public var capacity: Int
    /// Items per send.
    public var batchSize: Int
    /// Seconds a partial batch waits for more items.
    public var flushInterval: Double
    /// Attempts per batch, the first one included, before it is dropped.
    public var maxAttempts: Int
    /// Seconds before the first retry; doubles per attempt up to `maxBackoff`.
    public var initialBackoff: Double
    public var maxBackoff: Double

    public init(capacity: Int, batchSize: Int, flushInterval: Double, maxAttempts: Int, initialBackoff: Double, maxBackoff: Double) {
        self.capacity = capacity
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }
}
