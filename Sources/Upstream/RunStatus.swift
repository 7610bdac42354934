// How a run ended.

/// How a run ended.
public enum RunStatus: String, Sendable, Equatable {
    case completed, failed, incomplete, cancelled, expired
    /// The stream broke, timed out, or carried malformed data before a terminal event.
    case broken
}
