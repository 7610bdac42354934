// Merges a run's events with keep-alive ticks, so a silent upstream still produces SSE comments.
import EventLoops
import Synchronization
import Upstream

/// Forwards `events` and adds a `.keepAlive` after every `interval` seconds without an event (upstream
/// silence, decided by `KeepAliveSchedule`), until cancelled or the events end.
final class KeepAliveTicker: Sendable {
    enum Item: Sendable {
        case event(RunEvent)
        case keepAlive
    }

    private final class SharedSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
        let schedule: Mutex<KeepAliveSchedule<Instant>>
        init(_ schedule: KeepAliveSchedule<Instant>) { self.schedule = Mutex(schedule) }
    }

    /// The merged items, for one consumer.
    let stream: TickerChannel
    private let forward: Task<Void, Never>
    private let ticker: Task<Void, Never>

    /// Ticks per `policy`: its interval of silence, measured and slept on its clock.
    convenience init(events: AsyncStream<RunEvent>, policy: KeepAlivePolicy) {
        self.init(events: events, interval: policy.interval, clock: policy.clock)
    }

    /// - Parameter clock: what silence is measured and slept on (tests pass a clock they advance).
    init<C: Clock<Duration>>(events: AsyncStream<RunEvent>, interval: Duration, clock: C) {
        let channel = TickerChannel()
        stream = channel
        let shared = SharedSchedule(KeepAliveSchedule(interval: interval, start: clock.now))
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(until: shared.schedule.withLock { $0.nextDue }, clock: clock)
                if Task.isCancelled { break }
                if shared.schedule.withLock({ $0.keepAliveDue(at: clock.now) }) { channel.yield(.keepAlive) }
            }
        }
        self.ticker = ticker
        forward = Task.onCurrentLoop {
            for await event in events {
                shared.schedule.withLock { $0.eventSent(at: clock.now) }
                channel.yield(.event(event))
            }
            // The events ended (or this task was cancelled): nothing more to keep alive.
            channel.finish()
            ticker.cancel()
        }
    }

    func cancel() {
        forward.cancel()
        ticker.cancel()
    }
}
