// The series of one metric family, keyed by their label values.
import Synchronization

/// Holds a family's series, one per distinct tuple of label values, created on first use.
/// Callers resolve a series once and keep the handle, so the lock is off the hot path.
final class SeriesTable<Series: AnyObject & Sendable>: Sendable {
    /// One series with its label values and its pre-rendered `name="value",…` pairs.
    struct Entry: Sendable {
        let values: [String]
        let labelPairs: String
        let series: Series
    }

    let labelNames: [String]
    private let makeSeries: @Sendable () -> Series
    private let entries = Mutex<[[String]: Entry]>([:])

    init(labelNames: [String], makeSeries: @escaping @Sendable () -> Series) {
        self.labelNames = labelNames
        self.makeSeries = makeSeries
    }

    /// The series for `values` (one per label name, in the family's label order).
    func series(for values: [String], family: String) -> Series {
        precondition(
            values.count == labelNames.count,
            "metric \(family) takes \(labelNames.count) label values \(labelNames), got \(values.count)"
        )
        return entries.withLock { entries in
            if let entry = entries[values] { return entry.series }
            let entry = Entry(
                values: values,
                labelPairs: PrometheusText.labelPairs(names: labelNames, values: values),
                series: makeSeries()
            )
            entries[values] = entry
            return entry.series
        }
    }

    /// Every series, ordered by label values (element by element) for a stable exposition.
    func sortedEntries() -> [Entry] {
        entries.withLock { Array($0.values) }
            .sorted { $0.values.lexicographicallyPrecedes($1.values) }
    }
}
