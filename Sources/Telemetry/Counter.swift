// A monotonically increasing counter series and its labelled family.
import Synchronization

/// One counter series. Whole increments are a single atomic add; fractional amounts (e.g. a cost in
/// dollars) go to a second lock-free accumulator. The value never decreases.
public final class Counter: Sendable {
    private let whole = Atomic<UInt64>(0)
    private let fraction = AtomicDouble(0)

    public init() {}

    /// Adds `amount`. Zero and negative amounts are ignored: a counter never decreases.
    @inlinable
    public func increment(by amount: Int = 1) {
        guard amount > 0 else { return }
        addWhole(UInt64(amount))
    }

    @usableFromInline
    func addWhole(_ amount: UInt64) {
        whole.wrappingAdd(amount, ordering: .relaxed)
    }

    /// Adds a possibly fractional `amount`. Negative, NaN and infinite amounts are ignored.
    public func add(_ amount: Double) {
        guard amount.isFinite, amount > 0 else { return }
        if amount == amount.rounded(), amount < 9_007_199_254_740_992 {
            addWhole(UInt64(amount))
        } else {
            fraction.add(amount)
        }
    }

    /// The current value.
    public var value: Double {
        Double(whole.load(ordering: .relaxed)) + fraction.load()
    }

    /// The value as written in the exposition (exact for whole counts of any size).
    var renderedValue: String {
        let wholePart = whole.load(ordering: .relaxed)
        let fractionPart = fraction.load()
        if fractionPart == 0 { return String(wholePart) }
        return PrometheusText.formatValue(Double(wholePart) + fractionPart)
    }
}

/// A counter family: one `Counter` per tuple of label values.
public final class CounterFamily: Sendable {
    /// The full metric name (ends in `_total`).
    public let name: String
    public let help: String
    let table: SeriesTable<Counter>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.table = SeriesTable(labelNames: labelNames) { Counter() }
    }

    public var labelNames: [String] { table.labelNames }

    /// The series for these label values, in `labelNames` order. Resolve once and keep it where you can.
    public func labels(_ values: String...) -> Counter { labels(values) }

    /// The series for these label values, in `labelNames` order.
    public func labels(_ values: [String]) -> Counter { table.series(for: values, family: name) }
}

extension CounterFamily: RenderableFamily {
    var kind: MetricKind { .counter }
    var signature: FamilySignature { FamilySignature(kind: .counter, labelNames: labelNames, buckets: []) }

    func appendSamples(to output: inout String) {
        for entry in table.sortedEntries() {
            PrometheusText.appendSample(name: name, labelPairs: entry.labelPairs, value: entry.series.renderedValue, to: &output)
        }
    }
}
