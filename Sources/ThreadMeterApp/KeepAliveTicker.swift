// A run's events with keep-alive ticks between them, so a silent upstream still produces SSE comments.
import EventLoops
import Synchronization
import Upstream

/// Hands out a run's events and a `.keepAlive` after every `interval` seconds without one (upstream
/// silence, decided by `KeepAliveSchedule`), until cancelled or the events end.
///
/// No task stands between the run and its consumer: a ticker task sleeps until the silence is due
/// and nudges the run's channel (`RunEvents.nudge()`), and the consumer's `next()` turns the nudge
/// into a `.keepAlive`. Each event costs the consumer one clock read under a lock.
final class KeepAliveTicker: Sendable {
    enum Item: Sendable {
        case event(RunEvent)
        case keepAlive
    }

    /// The merged items, for one consumer.
    let stream: Stream
    private let ticker: Task<Void, Never>

    /// Ticks per `policy`: its interval of silence, measured and slept on its clock.
    convenience init(events: RunEvents, policy: KeepAlivePolicy) {
        self.init(events: events, interval: policy.interval, clock: policy.clock)
    }

    /// - Parameter clock: what silence is measured and slept on (tests pass a clock they advance).
    init<C: Clock<Duration>>(events: RunEvents, interval: Duration, clock: C) {
        let shared = SharedSchedule(KeepAliveSchedule(interval: interval, start: clock.now))
        // On the caller's loop: starting it wakes no pool thread (it sleeps at once).
        ticker = Task.onCurrentLoop {
            while !Task.isCancelled {
                try? await Task.sleep(until: shared.schedule.withLock { $0.nextDue }, clock: clock)
                if Task.isCancelled { break }
                if shared.schedule.withLock({ $0.keepAliveDue(at: clock.now) }) { events.nudge() }
            }
        }
        stream = Stream(events: events, eventSent: { shared.schedule.withLock { $0.eventSent(at: clock.now) } }, ticker: ticker)
    }

    func cancel() {
        ticker.cancel()
    }

    /// The consumer's side: events as they come, a nudge from the ticker as `.keepAlive`.
    struct Stream: AsyncSequence, Sendable {
        typealias Element = Item
        let events: RunEvents
        /// Restarts the silence (an event went out now).
        let eventSent: @Sendable () -> Void
        let ticker: Task<Void, Never>

        func makeAsyncIterator() -> Iterator { Iterator(stream: self) }

        struct Iterator: AsyncIteratorProtocol {
            let stream: Stream

            mutating func next() async -> Item? {
                switch await stream.events.nextItem() {
                case .event(let event)?:
                    stream.eventSent()
                    return .event(event)
                case .nudge?:
                    return .keepAlive
                case nil:
                    // The events ended (or this task was cancelled): nothing more to keep alive.
                    stream.ticker.cancel()
                    return nil
                }
            }

            mutating func next(isolation actor: isolated (any Actor)?) async -> Item? { await next() }
        }
    }
}

/// A schedule shared between the ticker task and the consumer.
private final class SharedSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    let schedule: Mutex<KeepAliveSchedule<Instant>>
    init(_ schedule: KeepAliveSchedule<Instant>) { self.schedule = Mutex(schedule) }
}
