// The time source of the metering domain, injectable so eviction and recovery are testable.
import Foundation

/// A source of wall-clock time in Unix seconds.
///
/// The registry stamps `lastActivity` with it, eviction compares against it, and the meter stamps
/// ledger rows with it, so every time that recovery compares comes from one clock.
public protocol MeteringClock: Sendable {
    /// The current time in seconds since 1970-01-01T00:00:00Z.
    func now() -> Double
}

/// The system's real-time clock.
public struct SystemClock: MeteringClock {
    public init() {}

    public func now() -> Double { Date().timeIntervalSince1970 }
}
