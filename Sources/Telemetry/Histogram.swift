// A histogram series (bucketed observations) and its labelled family.
import Synchronization

/// One histogram series. Each observation is one atomic add on its bucket plus one on the sum;
/// buckets are stored per bucket and made cumulative when rendered, and `_count` is derived from
/// them so `_count` always equals the `+Inf` bucket.
public final class Histogram: Sendable {
    /// Upper bounds (inclusive, `le`) of the finite buckets, strictly increasing.
    public let upperBounds: [Double]
    /// One cell per finite bucket plus the `+Inf` bucket.
    private let bucketCounts: [AtomicCell]
    private let total = AtomicDouble(0)

    /// Durations from 5 ms to 10 s: Prometheus client libraries' customary default.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.bucketCounts = (0...upperBounds.count).map { _ in AtomicCell() }
    }

    /// Records one observation. NaN is ignored (it would poison `_sum`).
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        bucketCounts[bucketIndex(for: value)].add(1)
        total.add(value)
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) {
        let parts = duration.components
        observe(Double(parts.seconds) + Double(parts.attoseconds) * 1e-18)
    }

    /// Number of observations.
    public var count: UInt64 { bucketCounts.reduce(0) { $0 + $1.load() } }

    /// Sum of the observed values.
    public var sum: Double { total.load() }

    /// Cumulative counts per bucket, the last one being `+Inf` (equal to `count`).
    public func cumulativeCounts() -> [UInt64] {
        var running: UInt64 = 0
        return bucketCounts.map { cell in
            running += cell.load()
            return running
        }
    }

    /// Index of the first bucket whose upper bound is ≥ `value` (the `+Inf` bucket if none).
    private func bucketIndex(for value: Double) -> Int {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low + high) / 2
            if upperBounds[middle] >= value { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// An atomic count in its own object, so a series can keep an array of them.
final class AtomicCell: Sendable {
    private let storage = Atomic<UInt64>(0)
    func add(_ amount: UInt64) { storage.wrappingAdd(amount, ordering: .relaxed) }
    func load() -> UInt64 { storage.load(ordering: .relaxed) }
}

/// A histogram family: one `Histogram` per tuple of label values, all with the same buckets.
public final class HistogramFamily: Sendable {
    /// The full metric name (the base of `_bucket`, `_sum`, `_count`).
    public let name: String
    public let help: String
    public let upperBounds: [Double]
    let table: SeriesTable<Histogram>
    /// Pre-rendered `le` values of the finite buckets followed by `+Inf`.
    private let leValues: [String]

    init(name: String, help: String, labelNames: [String], upperBounds: [Double]) {
        self.name = name
        self.help = help
        self.upperBounds = upperBounds
        self.table = SeriesTable(labelNames: labelNames) { Histogram(upperBounds: upperBounds) }
        self.leValues = upperBounds.map { PrometheusText.quotedLabelValue(PrometheusText.formatValue($0)) } + ["\"+Inf\""]
    }

    public var labelNames: [String] { table.labelNames }

    /// The series for these label values, in `labelNames` order.
    public func labels(_ values: String...) -> Histogram { labels(values) }

    /// The series for these label values, in `labelNames` order.
    public func labels(_ values: [String]) -> Histogram { table.series(for: values, family: name) }
}

extension HistogramFamily: RenderableFamily {
    var kind: MetricKind { .histogram }
    var signature: FamilySignature { FamilySignature(kind: .histogram, labelNames: labelNames, buckets: upperBounds) }

    func appendSamples(to output: inout String) {
        let bucketName = name + "_bucket"
        for entry in table.sortedEntries() {
            let counts = entry.series.cumulativeCounts()
            let prefix = entry.labelPairs.isEmpty ? "" : entry.labelPairs + ","
            for (le, count) in zip(leValues, counts) {
                PrometheusText.appendSample(name: bucketName, labelPairs: prefix + "le=" + le, value: String(count), to: &output)
            }
            PrometheusText.appendSample(
                name: name + "_sum", labelPairs: entry.labelPairs,
                value: PrometheusText.formatValue(entry.series.sum), to: &output
            )
            PrometheusText.appendSample(name: name + "_count", labelPairs: entry.labelPairs, value: String(counts.last ?? 0), to: &output)
        }
    }
}
