// The price of one model.

/// USD per one million tokens.
public struct ModelPrice: Sendable, Equatable {
    public var inputPerMillion: Double
    /// Price of cached input tokens; `nil` means cached tokens cost the full input price.
    public var cachedInputPerMillion: Double?
    public var outputPerMillion: Double

    public init(input: Double, cachedInput: Double? = nil, output: Double) {
        self.inputPerMillion = input
        self.cachedInputPerMillion = cachedInput
        self.outputPerMillion = output
    }

    /// Cost of `usage` in USD: the cached part of the input at the cached price, the rest of the
    /// input at the input price, all output (reasoning included) at the output price. Full precision.
    public func cost(of usage: TokenUsage) -> Double {
        let cached = min(max(usage.cachedInputTokens ?? 0, 0), usage.inputTokens)
        let uncached = usage.inputTokens - cached
        let micros = Double(uncached) * inputPerMillion
            + Double(cached) * (cachedInputPerMillion ?? inputPerMillion)
            + Double(usage.outputTokens) * outputPerMillion
        return micros / 1_000_000
    }
}
