// Concurrent updates lose nothing and rendering while updating stays consistent.
import Testing
@testable import Telemetry

@Suite struct MetricsConcurrencyTests {
    @Test func concurrentUpdatesFromManyTasksAreExact() async {
        let registry = MetricsRegistry()
        let counters = registry.counterFamily("events_total", help: "E.", labels: ["kind"])
        let gauge = registry.gauge("open", help: "O.")
        let histogram = registry.histogram("h_seconds", help: "H.", buckets: [0.5, 2])
        let cost = registry.counter("cost_total", help: "C.")
        let tasks = 8
        let iterations = 5_000

        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    let mine = counters.labels(task.isMultiple(of: 2) ? "even" : "odd")
                    for _ in 0..<iterations {
                        mine.increment()
                        counters.labels("all").increment()
                        gauge.increment()
                        histogram.observe(1)
                        cost.add(0.25)
                        gauge.decrement()
                    }
                }
            }
            group.addTask {
                for _ in 0..<50 {
                    let text = registry.render()
                    #expect(text.hasSuffix("\n"))
                    await Task.yield()
                }
            }
        }

        #expect(counters.labels("all").value == Double(tasks * iterations))
        #expect(counters.labels("even").value == Double(tasks / 2 * iterations))
        #expect(counters.labels("odd").value == Double(tasks / 2 * iterations))
        #expect(gauge.value == 0)
        #expect(histogram.count == UInt64(tasks * iterations))
        #expect(histogram.cumulativeCounts() == [0, UInt64(tasks * iterations), UInt64(tasks * iterations)])
        #expect(histogram.sum == Double(tasks * iterations))
        #expect(cost.value == Double(tasks * iterations) * 0.25)
    }

    @Test func renderedHistogramBucketsAreCumulativeWhileObservationsRace() async {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("race_seconds", help: "R.", buckets: [0.1, 1, 10])
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for i in 0..<5_000 { histogram.observe(Double((i + task) % 20)) }
                }
            }
            group.addTask {
                for _ in 0..<40 {
                    let counts = ExpositionSample.bucketCounts(in: registry.render(), name: "race_seconds")
                    #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 }, "buckets not cumulative: \(counts)")
                    await Task.yield()
                }
            }
        }
        #expect(histogram.count == 20_000)
    }
}

/// Reads values back from rendered text, for assertions.
enum ExpositionSample {
    /// The `_bucket` values of an unlabelled histogram, in output order.
    static func bucketCounts(in text: String, name: String) -> [UInt64] {
        text.split(separator: "\n")
            .filter { $0.hasPrefix(name + "_bucket{") }
            .compactMap { $0.split(separator: " ").last.flatMap { UInt64($0) } }
    }
}
