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

    private final class SharedSchedule: Sendable {
        let schedule: Mutex<KeepAliveSchedule>
        init(_ schedule: KeepAliveSchedule) { self.schedule = Mutex(schedule) }
    }

    /// The merged items, for one consumer.
    let stream: TickerChannel
    private let forward: Task<Void, Never>
    private let ticker: Task<Void, Never>

    init(events: AsyncStream<RunEvent>, interval: Double) {
        let channel = TickerChannel()
        stream = channel
        let clock = ContinuousClock()
        let shared = SharedSchedule(KeepAliveSchedule(interval: .milliseconds(Int(interval * 1000)), start: clock.now))
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
