// The in-process metrics backend: registers families and renders them as Prometheus text.
import Synchronization

/// Owns metric families and renders them in the Prometheus text exposition format 0.0.4.
///
/// Names follow `namespace_subsystem_name_unit`; counters end in `_total`. Registering a name
/// again with the same type, labels and buckets returns the existing family; anything else that
/// clashes is a programming error and stops the process with a message naming the metric.
/// Families render in registration order, their series ordered by label values.
public final class MetricsRegistry: Sendable {
    /// Prefix joined to every registered name with `_` (e.g. `threadmeter`).
    public let namespace: String?

    private struct State {
        var families: [any RenderableFamily] = []
        var byName: [String: any RenderableFamily] = [:]
        /// Every sample name in use, including histograms' `_bucket`, `_sum` and `_count`.
        var sampleNames: Set<String> = []
    }

    private let state = Mutex(State())

    public init(namespace: String? = nil) {
        if let namespace {
            precondition(PrometheusText.isValidMetricName(namespace), "invalid metric namespace \(namespace)")
        }
        self.namespace = namespace
    }

    // MARK: Registration

    /// A counter family with labels. `name` must end in `_total`.
    public func counterFamily(_ name: String, help: String, labels: [String]) -> CounterFamily {
        let fullName = qualified(name)
        precondition(fullName.hasSuffix("_total"), "counter \(fullName) must end in _total")
        return register(
            fullName, FamilySignature(kind: .counter, labelNames: labels, buckets: []),
            make: { CounterFamily(name: fullName, help: help, labelNames: labels) }
        )
    }

    /// A counter without labels. `name` must end in `_total`.
    public func counter(_ name: String, help: String) -> Counter {
        counterFamily(name, help: help, labels: []).labels()
    }

    /// A gauge family with labels.
    public func gaugeFamily(_ name: String, help: String, labels: [String]) -> GaugeFamily {
        let fullName = qualified(name)
        return register(
            fullName, FamilySignature(kind: .gauge, labelNames: labels, buckets: []),
            make: { GaugeFamily(name: fullName, help: help, labelNames: labels) }
        )
    }

    /// A gauge without labels.
    public func gauge(_ name: String, help: String) -> Gauge {
        gaugeFamily(name, help: help, labels: []).labels()
    }

    /// A histogram family with labels; `buckets` are the finite upper bounds, strictly increasing.
    public func histogramFamily(
        _ name: String, help: String, labels: [String], buckets: [Double] = Histogram.defaultBuckets
    ) -> HistogramFamily {
        let fullName = qualified(name)
        precondition(!labels.contains("le"), "histogram \(fullName) cannot use the reserved label name le")
        precondition(!buckets.isEmpty, "histogram \(fullName) needs at least one finite bucket")
        precondition(buckets.allSatisfy(\.isFinite), "histogram \(fullName) buckets must be finite (+Inf is implied)")
        precondition(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "histogram \(fullName) buckets must be strictly increasing")
        return register(
            fullName, FamilySignature(kind: .histogram, labelNames: labels, buckets: buckets),
            make: { HistogramFamily(name: fullName, help: help, labelNames: labels, upperBounds: buckets) }
        )
    }

    /// A histogram without labels.
    public func histogram(_ name: String, help: String, buckets: [Double] = Histogram.defaultBuckets) -> Histogram {
        histogramFamily(name, help: help, labels: [], buckets: buckets).labels()
    }

    // MARK: Rendering

    /// The exposition: per family one `# HELP` and one `# TYPE` line, then its samples.
    public func render() -> String {
        let families = state.withLock { $0.families }
        var output = ""
        output.reserveCapacity(families.count * 256)
        for family in families {
            output += "# HELP \(family.name) \(PrometheusText.escapedHelp(family.help))\n"
            output += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            family.appendSamples(to: &output)
        }
        return output
    }

    // MARK: Internals

    private func qualified(_ name: String) -> String {
        namespace.map { "\($0)_\(name)" } ?? name
    }

    private func register<Family: RenderableFamily>(
        _ fullName: String, _ signature: FamilySignature, make: () -> Family
    ) -> Family {
        precondition(PrometheusText.isValidMetricName(fullName), "invalid metric name \(fullName)")
        for label in signature.labelNames {
            precondition(PrometheusText.isValidLabelName(label), "metric \(fullName): invalid label name \(label)")
        }
        precondition(Set(signature.labelNames).count == signature.labelNames.count, "metric \(fullName): duplicate label names")
        return state.withLock { state in
            if let existing = state.byName[fullName] {
                precondition(
                    existing.signature == signature,
                    "metric \(fullName) is already registered as \(existing.kind.rawValue) with labels \(existing.signature.labelNames)"
                )
                guard let family = existing as? Family else {
                    preconditionFailure("metric \(fullName) is already registered with another type")
                }
                return family
            }
            let sampleNames = signature.kind == .histogram
                ? [fullName + "_bucket", fullName + "_sum", fullName + "_count", fullName]
                : [fullName]
            for sampleName in sampleNames {
                precondition(!state.sampleNames.contains(sampleName), "metric \(fullName) clashes with the samples of another family (\(sampleName))")
            }
            let family = make()
            state.families.append(family)
            state.byName[fullName] = family
            state.sampleNames.formUnion(sampleNames)
            return family
        }
    }
}
