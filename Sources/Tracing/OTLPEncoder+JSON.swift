// ExportTraceServiceRequest in the OTLP/HTTP JSON encoding (opentelemetry-proto, docs/specification.md "JSON Protobuf Encoding").
import JSONText

/// The OTLP JSON mapping differs from plain proto3 JSON in two ways that matter here: trace and
/// span ids are hex strings (not base64), and enums are integers. Field names are lowerCamelCase;
/// 64-bit integers (`startTimeUnixNano`, `intValue`) are decimal strings; fields at their default
/// value (no parent, `UNSET` status, empty message) are left out.
extension OTLPEncoder {
    /// The request as OTLP JSON text.
    public func json(_ spans: [Span]) -> String {
        JSONValue.object([
            ("resourceSpans", .array([.object([
                ("resource", .object([("attributes", .array([Self.json(resourceAttribute)]))])),
                ("scopeSpans", .array([.object([
                    ("scope", .object([("name", .string(scopeName))])),
                    ("spans", .array(spans.map(Self.json))),
                ])])),
            ])])),
        ]).serialized()
    }

    static func json(_ span: Span) -> JSONValue {
        var members: [(String, JSONValue)] = [("traceId", .string(span.traceID.hex)), ("spanId", .string(span.spanID.hex))]
        if let parent = span.parentSpanID { members.append(("parentSpanId", .string(parent.hex))) }
        members += [
            ("name", .string(span.name)),
            ("kind", .int(span.kind.rawValue)),
            ("startTimeUnixNano", .string(String(span.startTimeUnixNano))),
            ("endTimeUnixNano", .string(String(span.endTimeUnixNano))),
            ("attributes", .array(span.attributes.map(json))),
        ]
        if span.status != .unset {
            var status: [(String, JSONValue)] = []
            if let message = span.status.message, !message.isEmpty { status.append(("message", .string(message))) }
            if span.status.code != .unset { status.append(("code", .int(span.status.code.rawValue))) }
            members.append(("status", .object(status)))
        }
        return .object(members)
    }

    static func json(_ attribute: SpanAttribute) -> JSONValue {
        let value: (String, JSONValue)
        switch attribute.value {
        case .string(let text): value = ("stringValue", .string(text))
        case .int(let number): value = ("intValue", .string(String(number)))
        case .bool(let flag): value = ("boolValue", .bool(flag))
        // proto3 JSON: NaN and the infinities are strings.
        case .double(let number) where number.isNaN: value = ("doubleValue", .string("NaN"))
        case .double(let number) where number.isInfinite: value = ("doubleValue", .string(number < 0 ? "-Infinity" : "Infinity"))
        case .double(let number): value = ("doubleValue", .double(number))
        }
        return .object([("key", .string(attribute.key)), ("value", .object([value]))])
    }
}
