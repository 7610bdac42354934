// Merges a run's events with periodic keep-alive ticks, so a silent upstream still produces SSE comments.
import Upstream

/// Forwards `events` and adds a `.keepAlive` every `interval` seconds until cancelled or the events end.
final class KeepAliveTicker: Sendable {
    enum Item: Sendable {
        case event(RunEvent)
        case keepAlive
    }

    let stream: AsyncStream<Item>
    private let forward: Task<Void, Never>
    private let ticker: Task<Void, Never>

    init(events: AsyncStream<RunEvent>, interval: Double) {
        let (stream, continuation) = AsyncStream.makeStream(of: Item.self)
        self.stream = stream
        forward = Task {
            for await event in events {
                continuation.yield(.event(event))
            }
            continuation.finish()
        }
        ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                if Task.isCancelled { break }
                continuation.yield(.keepAlive)
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
