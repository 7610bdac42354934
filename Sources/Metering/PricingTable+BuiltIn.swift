// The built-in price list.

extension PricingTable {
    /// List prices (USD per 1M tokens: input, cached input, output) of current OpenAI, Anthropic and
    /// Google models, standard tier, at the short-context rate (OpenAI under 270K, Anthropic and Google
    /// Pro models up to 200K prompt tokens). Batch and long-context surcharges are not modelled.
    /// Compiled from the providers' published price lists as of `pricesAsOf`; `PRICING_FILE` (a LiteLLM
    /// `model_prices_and_context_window.json`) overrides or extends it.
    public static let builtIn: PricingTable = {
        let list: [(String, Double, Double?, Double)] = [
            // OpenAI
            ("gpt-5.5", 5.00, 0.50, 30.00),
            ("gpt-5.5-pro", 30.00, nil, 180.00),
            ("gpt-5.4", 2.50, 0.25, 15.00),
            ("gpt-5.4-mini", 0.75, 0.075, 4.50),
            ("gpt-5.4-nano", 0.20, 0.02, 1.25),
            ("gpt-5.4-pro", 30.00, nil, 180.00),
            ("gpt-5.2", 1.75, 0.175, 14.00),
            ("gpt-5.2-pro", 21.00, nil, 168.00),
            ("gpt-5.1", 1.25, 0.125, 10.00),
            ("gpt-5", 1.25, 0.125, 10.00),
            ("gpt-5-mini", 0.25, 0.025, 2.00),
            ("gpt-5-nano", 0.05, 0.005, 0.40),
            ("gpt-5-pro", 15.00, nil, 120.00),
            ("gpt-4.1", 2.00, 0.50, 8.00),
            ("gpt-4.1-mini", 0.40, 0.10, 1.60),
            ("gpt-4.1-nano", 0.10, 0.025, 0.40),
            ("gpt-4o", 2.50, 1.25, 10.00),
            ("gpt-4o-2024-05-13", 5.00, nil, 15.00),
            ("gpt-4o-mini", 0.15, 0.075, 0.60),
            ("o1", 15.00, 7.50, 60.00),
            ("o1-mini", 1.10, 0.55, 4.40),
            ("o1-pro", 150.00, nil, 600.00),
            ("o3", 2.00, 0.50, 8.00),
            ("o3-mini", 1.10, 0.55, 4.40),
            ("o3-pro", 20.00, nil, 80.00),
            ("o4-mini", 1.10, 0.275, 4.40),
            ("gpt-4-turbo", 10.00, nil, 30.00),
            ("gpt-4", 30.00, nil, 60.00),
            ("gpt-3.5-turbo", 0.50, nil, 1.50),
            // Anthropic (cache reads at 10% of input)
            ("claude-opus-4-7", 5.00, 0.50, 25.00),
            ("claude-opus-4-6", 5.00, 0.50, 25.00),
            ("claude-opus-4-5", 5.00, 0.50, 25.00),
            ("claude-opus-4-1", 15.00, 1.50, 75.00),
            ("claude-opus-4", 15.00, 1.50, 75.00),
            ("claude-opus-4-0", 15.00, 1.50, 75.00),
            ("claude-sonnet-4-6", 3.00, 0.30, 15.00),
            ("claude-sonnet-4-5", 3.00, 0.30, 15.00),
            ("claude-sonnet-4", 3.00, 0.30, 15.00),
            ("claude-sonnet-4-0", 3.00, 0.30, 15.00),
            ("claude-3-7-sonnet", 3.00, 0.30, 15.00),
            ("claude-3-5-sonnet", 3.00, 0.30, 15.00),
            ("claude-haiku-4-5", 1.00, 0.10, 5.00),
            ("claude-3-5-haiku", 0.80, 0.08, 4.00),
            ("claude-3-haiku", 0.25, 0.03, 1.25),
            ("claude-3-opus", 15.00, 1.50, 75.00),
            // Google (prompts up to 200K tokens on Pro models)
            ("gemini-3.1-pro-preview", 2.00, 0.20, 12.00),
            ("gemini-3-pro-preview", 2.00, 0.20, 12.00),
            ("gemini-3-flash-preview", 0.50, 0.05, 3.00),
            ("gemini-3.1-flash-lite-preview", 0.25, 0.025, 1.50),
            ("gemini-2.5-pro", 1.25, 0.125, 10.00),
            ("gemini-2.5-flash", 0.30, 0.03, 2.50),
            ("gemini-2.5-flash-lite", 0.10, 0.01, 0.40),
            ("gemini-2.0-flash", 0.10, 0.025, 0.40),
            ("gemini-2.0-flash-lite", 0.075, nil, 0.30),
        ]
        var prices: [String: ModelPrice] = [:]
        for (name, input, cached, output) in list {
            prices[name] = ModelPrice(input: input, cachedInput: cached, output: output)
        }
        let asOf = "2026-06-01"
        return PricingTable(prices: prices, pricesAsOf: asOf, source: "built-in (\(asOf))")
    }()
}
