// A run's events on their way to the one task that relays them.
import Synchronization

/// What a run hands its one consumer: the events in order, then nil once `finish()` was called.
///
/// A plain class over a lock and one continuation, with concrete types throughout: unlike
/// `AsyncStream<RunEvent>` (generic code in the standard library, whose metadata is looked up at run
/// time on every element), each delta passes through specialised code, and the producer (the
/// upstream connection's loop) resumes the consumer directly: one task hop per chunk.
///
/// AsyncStream's contract for one consumer: order, buffered events then nil after `finish`, nil at
/// once on cancellation (buffered events are dropped and `onConsumerCancelled`'s action runs once). A `nudge()` from
/// elsewhere (the keep-alive ticker) wakes a consumer waiting in `nextItem()` without an event.
public final class RunEvents: AsyncSequence, Sendable {
    public typealias Element = RunEvent

    /// What `nextItem()` returns.
    public enum Item: Sendable {
        case event(RunEvent)
        /// `nudge()` was called while no event was waiting.
        case nudge
    }

    private struct State {
        var buffer: [RunEvent] = []
        var head = 0
        var waiter: UnsafeContinuation<Item?, Never>?
        /// Whether the waiter takes nudges (it came from `nextItem()`).
        var waiterTakesNudges = false
        var nudged = false
        var finished = false
        var onCancel: (@Sendable () -> Void)?

        mutating func take() -> RunEvent? {
            guard head < buffer.count else { return nil }
            let event = buffer[head]
            head += 1
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                head = 0
            }
            return event
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// `action` runs once when the consumer's task is cancelled before the end (the run then stops
    /// upstream), not after `finish()`.
    public func onConsumerCancelled(_ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.onCancel = action }
    }

    /// Events already finished: what a run that has nothing to relay hands out.
    public static func finished(with events: [RunEvent] = []) -> RunEvents {
        let channel = RunEvents()
        for event in events { channel.yield(event) }
        channel.finish()
        return channel
    }

    /// Whether a consumer is parked waiting (tests wait for it instead of sleeping).
    public var hasWaitingConsumer: Bool { state.withLock { $0.waiter != nil } }

    // MARK: Producer

    /// Hands `event` to the waiting consumer, or queues it; ignored once finished.
    public func yield(_ event: RunEvent) {
        let waiter = state.withLock { state -> UnsafeContinuation<Item?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(event)
            return nil
        }
        waiter?.resume(returning: .event(event))
    }

    /// No more events: the consumer gets what is queued, then nil.
    public func finish() {
        let waiter = state.withLock { state -> UnsafeContinuation<Item?, Never>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.onCancel = nil
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Wakes a consumer waiting in `nextItem()` with `.nudge`; when it is busy, its next `nextItem()`
    /// that finds no event returns `.nudge` (nudges do not pile up). Ignored once finished.
    public func nudge() {
        let waiter = state.withLock { state -> UnsafeContinuation<Item?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter, state.waiterTakesNudges {
                state.waiter = nil
                return waiter
            }
            state.nudged = true
            return nil
        }
        waiter?.resume(returning: .nudge)
    }

    // MARK: Consumer

    /// The next event; nil once finished and drained, or at once when the consumer's task is cancelled.
    public func next() async -> RunEvent? {
        while true {
            switch await next(takingNudges: false) {
            case .event(let event)?: return event
            case .nudge?: continue  // cannot happen: nudges go to nextItem() only
            case nil: return nil
            }
        }
    }

    /// The next event, or `.nudge` when `nudge()` was called and no event is waiting; nil at the end
    /// (as `next()`).
    public func nextItem() async -> Item? {
        await next(takingNudges: true)
    }

    private func next(takingNudges: Bool) async -> Item? {
        let ready = state.withLock { state -> Item?? in
            if let event = state.take() { return .some(.event(event)) }
            if takingNudges, state.nudged, !state.finished {
                state.nudged = false
                return .some(.nudge)
            }
            return state.finished ? .some(nil) : nil
        }
        if let ready { return ready }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Item?, Never>) in
                let ready = state.withLock { state -> Item?? in
                    if let event = state.take() { return .some(.event(event)) }
                    if takingNudges, state.nudged, !state.finished {
                        state.nudged = false
                        return .some(.nudge)
                    }
                    if state.finished { return .some(nil) }
                    state.waiter = continuation
                    state.waiterTakesNudges = takingNudges
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancelConsumer()
        }
    }

    private func cancelConsumer() {
        let (waiter, onCancel) = state.withLock { state -> (UnsafeContinuation<Item?, Never>?, (@Sendable () -> Void)?) in
            let onCancel = state.finished ? nil : state.onCancel
            state.finished = true
            state.onCancel = nil
            state.buffer.removeAll()
            state.head = 0
            defer { state.waiter = nil }
            return (state.waiter, onCancel)
        }
        waiter?.resume(returning: nil)
        onCancel?()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: RunEvents

        public mutating func next() async -> RunEvent? { await channel.next() }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> RunEvent? { await channel.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
