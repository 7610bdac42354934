// ExportTraceServiceRequest in the OTLP/HTTP JSON encoding (opentelemetry-proto, docs/specification.md "JSON Protobuf Encoding").
import Telemetry

/// The OTLP JSON mapping differs from plain proto3 JSON in two ways that matter here: trace and
/// span ids are hex strings (not base64), and enums are integers. Field names are lowerCamelCase;
/// 64-bit integers (`startTimeUnixNano`, `intValue`) are decimal strings; fields at their default
/// value (no parent, `UNSET` status, empty message) are left out.
extension OTLPEncoder {
    /// The request as OTLP JSON text.
    public func json(_ spans: [Span]) -> String {
        var out = #"{"resourceSpans":[{"resource":{"attributes":["#
        Self.append(resourceAttribute, to: &out)
        out += #"]},"scopeSpans":[{"scope":{"name":"#
        out += LogLineFormatter.jsonString(scopeName)
        out += #"},"spans":["#
        for (index, span) in spans.enumerated() {
            if index > 0 { out += "," }
            Self.append(span, to: &out)
        }
        out += "]}]}]}"
        return out
    }

    static func append(_ span: Span, to out: inout String) {
        out += #"{"traceId":""# + span.traceID.hex
        out += #"","spanId":""# + span.spanID.hex + "\""
        if let parent = span.parentSpanID { out += #","parentSpanId":""# + parent.hex + "\"" }
        out += #","name":"# + LogLineFormatter.jsonString(span.name)
        out += #","kind":"# + String(span.kind.rawValue)
        out += #","startTimeUnixNano":""# + String(span.startTimeUnixNano)
        out += #"","endTimeUnixNano":""# + String(span.endTimeUnixNano) + "\""
        out += #","attributes":["#
        for (index, attribute) in span.attributes.enumerated() {
            if index > 0 { out += "," }
            append(attribute, to: &out)
        }
        out += "]"
        if span.status != .unset {
            out += #","status":{"#
            var members: [String] = []
            if let message = span.status.message, !message.isEmpty { members.append(#""message":"# + LogLineFormatter.jsonString(message)) }
            if span.status.code != .unset { members.append(#""code":"# + String(span.status.code.rawValue)) }
            out += members.joined(separator: ",") + "}"
        }
        out += "}"
    }

    static func append(_ attribute: SpanAttribute, to out: inout String) {
        out += #"{"key":"# + LogLineFormatter.jsonString(attribute.key) + #","value":{"#
        switch attribute.value {
        case .string(let text): out += #""stringValue":"# + LogLineFormatter.jsonString(text)
        case .int(let number): out += #""intValue":""# + String(number) + "\""
        case .double(let number): out += #""doubleValue":"# + jsonNumber(number)
        case .bool(let flag): out += #""boolValue":"# + (flag ? "true" : "false")
        }
        out += "}}"
    }

    /// proto3 JSON: a finite double as a number, NaN and the infinities as strings.
    static func jsonNumber(_ value: Double) -> String {
        if value.isNaN { return #""NaN""# }
        if value.isInfinite { return value < 0 ? #""-Infinity""# : #""Infinity""# }
        return PrometheusText.formatValue(value)
    }
}
