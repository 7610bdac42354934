// What a running run delivers to the service.

/// An event of a running run, as the service relays it.
public enum RunEvent: Sendable, Equatable {
    /// One upstream text delta.
    case delta(String)
    /// The run ended (successfully or not). Always the last event.
    case finished(RunOutcome)
}
