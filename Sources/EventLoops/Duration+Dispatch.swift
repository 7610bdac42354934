// Durations for Dispatch timers and as fractional seconds: the one conversion every module uses.
import Dispatch

extension Duration {
    /// This duration for Dispatch (nanosecond precision, at least zero).
    public var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow else { return .never }
        return .nanoseconds(Int(max(0, nanos.partialValue + attoseconds / 1_000_000_000)))
    }

    /// This duration in (fractional) seconds, for messages.
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
