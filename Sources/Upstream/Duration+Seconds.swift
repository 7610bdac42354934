// Durations as fractional seconds, for timeouts and messages.

extension Duration {
    /// This duration in (fractional) seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
