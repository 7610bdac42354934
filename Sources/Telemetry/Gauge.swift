// A gauge series (a value that goes up and down) and its labelled family.

/// One gauge series, updated lock-free.
public final class Gauge: Sendable {
    private let current = AtomicDouble(0)

    public init() {}

    /// Replaces the value.
    public func set(_ value: Double) { current.store(value) }

    /// Replaces the value.
    public func set(_ value: Int) { current.store(Double(value)) }

    /// Adds `amount` (may be negative).
    public func increment(by amount: Double = 1) { current.add(amount) }

    /// Subtracts `amount`.
    public func decrement(by amount: Double = 1) { current.add(-amount) }

    /// The current value.
    public var value: Double { current.load() }
}

/// A gauge family: one `Gauge` per tuple of label values.
public final class GaugeFamily: Sendable {
    /// The full metric name.
    public let name: String
    public let help: String
    let table: SeriesTable<Gauge>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.table = SeriesTable(labelNames: labelNames) { Gauge() }
    }

    public var labelNames: [String] { table.labelNames }

    /// The series for these label values, in `labelNames` order. The series appears in the
    /// exposition from its first use on.
    public func labels(_ values: String...) -> Gauge { labels(values) }

    /// The series for these label values, in `labelNames` order.
    public func labels(_ values: [String]) -> Gauge { table.series(for: values, family: name) }
}

extension GaugeFamily: RenderableFamily {
    var kind: MetricKind { .gauge }
    var signature: FamilySignature { FamilySignature(kind: .gauge, labelNames: labelNames, buckets: []) }

    func appendSamples(to output: inout String) {
        for entry in table.sortedEntries() {
            PrometheusText.appendSample(
                name: name, labelPairs: entry.labelPairs,
                value: PrometheusText.formatValue(entry.series.value), to: &output
            )
        }
    }
}
