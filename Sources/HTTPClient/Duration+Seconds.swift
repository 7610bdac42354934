// Durations as fractional seconds, for messages.

extension Duration {
    /// This duration in (fractional) seconds, for messages.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
