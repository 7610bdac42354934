// Merges a run's events with keep-alive ticks, so a silent upstream still produces SSE comments.
import Synchronization
import Upstream

/// Forwards `events` and adds a `.keepAlive` after every `interval` seconds without an event (upstream
/// silence), until cancelled or the events end.
final class KeepAliveTicker: Sendable {
    enum Item: Sendable {
        case event(RunEvent)
        case keepAlive
    }

    /// When the latest event (or tick) went out.
    private final class LastSent: Sendable {
        let instant: Mutex<ContinuousClock.Instant>
        init(_ now: ContinuousClock.Instant) { instant = Mutex(now) }
    }

    let stream: AsyncStream<Item>
    private let forward: Task<Void, Never>
    private let ticker: Task<Void, Never>

    init(events: AsyncStream<RunEvent>, interval: Double, clock: ContinuousClock = ContinuousClock()) {
        let (stream, continuation) = AsyncStream.makeStream(of: Item.self)
        self.stream = stream
        let period = Duration.milliseconds(Int(interval * 1000))
        let lastEvent = LastSent(clock.now)
        forward = Task {
            for await event in events {
                lastEvent.instant.withLock { $0 = clock.now }
                continuation.yield(.event(event))
            }
            continuation.finish()
        }
        ticker = Task {
            while !Task.isCancelled {
                // Sleep until `interval` after the latest event (or tick); tick only if none came since.
                let due = lastEvent.instant.withLock { $0 } + period
                try? await Task.sleep(until: due, clock: clock)
                if Task.isCancelled { break }
                let silent = lastEvent.instant.withLock { last -> Bool in
                    guard clock.now >= last + period else { return false }
                    last = clock.now
                    return true
                }
                if silent { continuation.yield(.keepAlive) }
            }
        }
        let forward = self.forward, ticker = self.ticker
        continuation.onTermination = { _ in
            forward.cancel()
            ticker.cancel()
        }
    }

    func cancel() {
        forward.cancel()
        ticker.cancel()
    }
}
