// Reading an upstream's run status into Metering's RunStatus.
import Metering

extension RunStatus {
    /// The status an upstream run (response) object reports, when it is one of the protocol's
    /// `terminal` ones; nil while the run goes on.
    init?(upstream status: String?, terminal: Set<RunStatus>) {
        guard let parsed = status.flatMap(RunStatus.init(rawValue:)), terminal.contains(parsed) else { return nil }
        self = parsed
    }
}
