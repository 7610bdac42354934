// ExportTraceServiceRequest for OTLP/HTTP: one resource (`service.name`), one scope, the spans.

/// Encodes export requests in the configured wire protocol: the OTLP JSON encoding
/// (`OTLPEncoder+JSON.swift`) or protobuf (`OTLPEncoder+Protobuf.swift`).
public struct OTLPEncoder: Sendable {
    /// The `service.name` resource attribute.
    public var serviceName: String
    /// The instrumentation scope.
    public var scopeName: String

    public init(serviceName: String, scopeName: String = "threadmeter") {
        self.serviceName = serviceName
        self.scopeName = scopeName
    }

    public func encode(_ spans: [Span], as wireProtocol: TracingConfiguration.WireProtocol) -> [UInt8] {
        switch wireProtocol {
        case .httpJSON: Array(json(spans).utf8)
        case .httpProtobuf: protobuf(spans)
        }
    }

    var resourceAttribute: SpanAttribute { SpanAttribute("service.name", .string(serviceName)) }
}
