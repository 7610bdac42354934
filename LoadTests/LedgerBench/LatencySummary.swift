// Percentiles of measured durations.

/// p50/p99/max of a set of durations in seconds.
struct LatencySummary {
    let count: Int
    let p50: Double
    let p99: Double
    let max: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        count = sorted.count
        func at(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded(.up)))]
        }
        p50 = at(0.50)
        p99 = at(0.99)
        max = sorted.last ?? 0
    }

    static func ms(_ seconds: Double) -> String {
        let v = seconds * 1_000
        let rounded = (v * 1_000).rounded() / 1_000
        return "\(rounded) ms"
    }
}
