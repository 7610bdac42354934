// Set once when shutdown begins; read by every request that would start new work.
import Synchronization

/// Whether the service is draining (shutting down gracefully).
final class DrainingFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .relaxed) }

    /// Sets the flag; true only for the first caller.
    func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}
