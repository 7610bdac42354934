// Model prices and the lookup that maps a reported model name to one.

/// Prices per model, looked up by the model name an upstream reports.
///
/// Lookup tries, in order: the name as given; lowercased; without a provider prefix
/// (`openai/gpt-4o` → `gpt-4o`); without a trailing date (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`,
/// `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`) or `-latest`. An exact entry for a dated
/// snapshot wins over its alias.
public struct PricingTable: Sendable {
    /// Prices by model name.
    public private(set) var prices: [String: ModelPrice]
    /// When the built-in prices were taken from the providers' published price lists (YYYY-MM-DD).
    public var pricesAsOf: String
    /// Where the prices came from, for logs: `built-in (…)` plus any files loaded over it.
    public var source: String

    /// The built-in table (`PricingTable.builtIn`).
    public init() {
        self = .builtIn
    }

    public init(prices: [String: ModelPrice], pricesAsOf: String, source: String = "custom") {
        self.prices = prices
        self.pricesAsOf = pricesAsOf
        self.source = source
    }

    /// Number of priced models.
    public var count: Int { prices.count }

    /// Adds or replaces one model's price.
    public mutating func setPrice(_ price: ModelPrice, for model: String) {
        prices[model] = price
    }

    /// The price for a reported model name, or `nil` when unknown.
    public func price(for model: String) -> ModelPrice? {
        for candidate in Self.lookupCandidates(model) {
            if let price = prices[candidate] { return price }
        }
        return nil
    }

    /// Cost of a run in USD, or `nil` for a missing or unknown model (never a silent 0).
    public func cost(model: String?, usage: TokenUsage) -> Double? {
        guard let model, let price = price(for: model) else { return nil }
        return price.cost(of: usage)
    }

    /// Names to try for `model`, most specific first.
    static func lookupCandidates(_ model: String) -> [String] {
        var candidates: [String] = []
        func add(_ name: String) {
            if !name.isEmpty, !candidates.contains(name) { candidates.append(name) }
        }
        let trimmed = model.trimmingSpaces
        add(trimmed)
        let lower = trimmed.lowercased()
        add(lower)
        var bases = [lower]
        if let slash = lower.lastIndex(of: "/") {
            let bare = String(lower[lower.index(after: slash)...])
            add(bare)
            bases.append(bare)
        }
        for base in bases {
            if let alias = withoutSnapshotSuffix(base) { add(alias) }
        }
        return candidates
    }

    /// `name` without a trailing `-YYYY-MM-DD`, `-YYYYMMDD` or `-latest`; `nil` if it has none.
    static func withoutSnapshotSuffix(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.allSatisfy { bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }
        }
        let n = bytes.count
        // -YYYY-MM-DD
        if n > 11, bytes[n - 11] == UInt8(ascii: "-"), bytes[n - 6] == UInt8(ascii: "-"), bytes[n - 3] == UInt8(ascii: "-"),
           digits(n - 10 ..< n - 6), digits(n - 5 ..< n - 3), digits(n - 2 ..< n) {
            return String(decoding: bytes[..<(n - 11)], as: UTF8.self)
        }
        // -YYYYMMDD
        if n > 9, bytes[n - 9] == UInt8(ascii: "-"), digits(n - 8 ..< n) {
            return String(decoding: bytes[..<(n - 9)], as: UTF8.self)
        }
        if name.hasSuffix("-latest"), n > 7 {
            return String(name.dropLast(7))
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
