// How a stream keeps its client's connection alive while the upstream is silent.

/// `SSE_KEEPALIVE_SECONDS` and the clock the silence is measured on (tests pass a `TestClock`).
struct KeepAlivePolicy: Sendable {
    /// Silence after which a `: keep-alive` comment goes out.
    let interval: Duration
    /// What the keep-alive schedule reads and sleeps on.
    let clock: any Clock<Duration>

    init(seconds: Double, clock: any Clock<Duration>) {
        self.interval = .milliseconds(Int(seconds * 1000))
        self.clock = clock
    }
}
