// How a run ended, as the upstream reported it (or `broken` when it could not say).

/// The terminal status of a run. The raw value is what the ledger stores and the logs show.
public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    case completed, failed, incomplete, cancelled, expired
    /// The stream broke, timed out, or carried malformed data before a terminal event.
    case broken
}
