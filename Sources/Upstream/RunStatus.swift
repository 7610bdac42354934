// How a run ended.

/// How a run ended.
public enum RunStatus: String, Sendable, Equatable {
    case completed, failed, incomplete, cancelled, expired
    /// The stream broke, timed out, or carried malformed data before a terminal event.
    case broken
}

extension RunStatus {
    /// The status an upstream run (response) object reports, when it is one of the protocol's
    /// `terminal` ones; nil while the run goes on.
    init?(upstream status: String?, terminal: Set<RunStatus>) {
        guard let parsed = status.flatMap(RunStatus.init(rawValue:)), terminal.contains(parsed) else { return nil }
        self = parsed
    }
}
