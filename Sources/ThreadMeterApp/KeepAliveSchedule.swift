// When a keep-alive is due: after `interval` of silence, counted from the latest event or keep-alive.

/// The keep-alive decision as a value with the time passed in (the ticker supplies the clock).
struct KeepAliveSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    let interval: Duration
    /// When the latest event or keep-alive went out.
    private(set) var lastSent: Instant

    init(interval: Duration, start: Instant) {
        self.interval = interval
        self.lastSent = start
    }

    /// The earliest instant a keep-alive may be due.
    var nextDue: Instant { lastSent.advanced(by: interval) }

    /// An upstream event went out at `now`: the silence starts again.
    mutating func eventSent(at now: Instant) { lastSent = now }

    /// Whether the stream has been silent for `interval` at `now`; if so the keep-alive counts as sent.
    mutating func keepAliveDue(at now: Instant) -> Bool {
        guard now >= nextDue else { return false }
        lastSent = now
        return true
    }
}
