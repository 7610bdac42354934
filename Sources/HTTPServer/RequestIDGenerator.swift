// Short unique request ids: a random per-server prefix and a counter.
import Synchronization

/// Produces ids like `k3j9x2-1a`: unique within a server, distinguishable across restarts.
final class RequestIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        prefix = String(UInt32.random(in: 0...UInt32.max), radix: 36) + "-"
    }

    func next() -> String {
        prefix + String(counter.wrappingAdd(1, ordering: .relaxed).newValue, radix: 36)
    }
}
