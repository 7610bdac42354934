// A clock that only moves when told to; for tests.
import Synchronization

/// A test clock: it stands still until `set(_:)` or `advance(by:)` moves it.
public final class ManualClock: MeteringClock {
    private let current: Mutex<Double>

    /// Starts at `start` Unix seconds (default 2024-01-01T00:00:00Z).
    public init(_ start: Double = 1_704_067_200) {
        current = Mutex(start)
    }

    public func now() -> Double { current.withLock { $0 } }

    /// Moves the clock to `time` (backwards too).
    public func set(_ time: Double) { current.withLock { $0 = time } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: Double) { current.withLock { $0 += seconds } }
}
