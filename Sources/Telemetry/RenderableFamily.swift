// What the registry needs from every metric family to check registrations and render them.

/// The Prometheus metric type of a family.
enum MetricKind: String, Sendable {
    case counter, gauge, histogram
}

/// What must match when the same name is registered twice.
struct FamilySignature: Equatable, Sendable {
    var kind: MetricKind
    var labelNames: [String]
    var buckets: [Double]
}

/// A family the registry can render.
protocol RenderableFamily: AnyObject, Sendable {
    var name: String { get }
    var help: String { get }
    var kind: MetricKind { get }
    var signature: FamilySignature { get }
    /// Appends the family's sample lines (not HELP/TYPE), series in label-value order.
    func appendSamples(to output: inout String)
}
