// ExportTraceServiceRequest in the protobuf binary encoding (opentelemetry/proto/trace/v1/trace.proto).

/// The same request in protobuf wire format, for
/// `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`. Field numbers are those of
/// `opentelemetry-proto` v1: ExportTraceServiceRequest.resource_spans=1; ResourceSpans.resource=1,
/// scope_spans=2; Resource.attributes=1; ScopeSpans.scope=1, spans=2; InstrumentationScope.name=1;
/// Span.trace_id=1, span_id=2, parent_span_id=4, name=5, kind=6, start_time_unix_nano=7 (fixed64),
/// end_time_unix_nano=8 (fixed64), attributes=9, status=15; Status.message=2, code=3;
/// KeyValue.key=1, value=2; AnyValue.string_value=1, bool_value=2, int_value=3, double_value=4.
extension OTLPEncoder {
    /// The request as protobuf bytes.
    public func protobuf(_ spans: [Span]) -> [UInt8] {
        var resource = ProtobufWriter()
        resource.message(1, Self.protobufKeyValue(resourceAttribute))
        var scope = ProtobufWriter()
        scope.string(1, scopeName)
        var scopeSpans = ProtobufWriter()
        scopeSpans.message(1, scope.bytes)
        for span in spans { scopeSpans.message(2, Self.protobufSpan(span)) }
        var resourceSpans = ProtobufWriter()
        resourceSpans.message(1, resource.bytes)
        resourceSpans.message(2, scopeSpans.bytes)
        var request = ProtobufWriter()
        request.message(1, resourceSpans.bytes)
        return request.bytes
    }

    static func protobufSpan(_ span: Span) -> [UInt8] {
        var out = ProtobufWriter()
        out.bytes(1, span.traceID.bytes)
        out.bytes(2, span.spanID.bytes)
        if let parent = span.parentSpanID { out.bytes(4, parent.bytes) }
        out.string(5, span.name)
        out.varint(6, UInt64(span.kind.rawValue))
        out.fixed64(7, span.startTimeUnixNano)
        out.fixed64(8, span.endTimeUnixNano)
        for attribute in span.attributes { out.message(9, protobufKeyValue(attribute)) }
        if span.status != .unset {
            var status = ProtobufWriter()
            if let message = span.status.message, !message.isEmpty { status.string(2, message) }
            if span.status.code != .unset { status.varint(3, UInt64(span.status.code.rawValue)) }
            out.message(15, status.bytes)
        }
        return out.bytes
    }

    static func protobufKeyValue(_ attribute: SpanAttribute) -> [UInt8] {
        var value = ProtobufWriter()
        switch attribute.value {
        case .string(let text): value.string(1, text)
        case .bool(let flag): value.varint(2, flag ? 1 : 0)
        case .int(let number): value.varint(3, UInt64(bitPattern: Int64(number)))
        case .double(let number): value.fixed64(4, number.bitPattern, wireType: 1)
        }
        var out = ProtobufWriter()
        out.string(1, attribute.key)
        out.message(2, value.bytes)
        return out.bytes
    }
}
