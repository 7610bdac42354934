// The OTLP JSON encoding byte for byte, the protobuf encoding against it, and a receiver's reading of both.
import Foundation
import Testing
import TestSupport
@testable import Tracing

@Suite struct OTLPEncodingTests {
    static let span = GenAISpan.make(
        SpanFixtures.responsesFacts, context: SpanFixtures.context,
        startTimeUnixNano: 1_706_745_600_123_456_789, endTimeUnixNano: 1_706_745_601_987_654_321)

    @Test func aRunSpanEncodesExactlyAsTheOTLPJSONMappingSays() {
        let expected = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"threadmeter"}}]},"#
            + #""scopeSpans":[{"scope":{"name":"threadmeter"},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","#
            + #""spanId":"a1b2c3d4e5f60718","parentSpanId":"00f067aa0ba902b7","name":"chat gpt-4o-mini","kind":3,"#
            + #""startTimeUnixNano":"1706745600123456789","endTimeUnixNano":"1706745601987654321","attributes":["#
            + #"{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},"#
            + #"{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},"#
            + #"{"key":"gen_ai.conversation.id","value":{"stringValue":"conv_abc"}},"#
            + #"{"key":"gen_ai.response.id","value":{"stringValue":"resp_1"}},"#
            + #"{"key":"gen_ai.response.model","value":{"stringValue":"gpt-4o-mini-2024-07-18"}},"#
            + #"{"key":"gen_ai.usage.input_tokens","value":{"intValue":"89"}},"#
            + #"{"key":"gen_ai.usage.output_tokens","value":{"intValue":"67"}},"#
            + #"{"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"64"}},"#
            + #"{"key":"gen_ai.usage.reasoning.output_tokens","value":{"intValue":"0"}},"#
            + #"{"key":"threadmeter.usage_source","value":{"stringValue":"upstream"}},"#
            + #"{"key":"threadmeter.estimated_cost_usd","value":{"doubleValue":0.000053}},"#
            + #"{"key":"threadmeter.account","value":{"stringValue":"Acme \"Corp\""}}]}]}]}]}"#
        #expect(OTLPEncoder(serviceName: "threadmeter").json([Self.span]) == expected)
    }

    @Test func anErrorStatusHasAnIntegerCodeAndItsMessage() {
        var span = SpanFixtures.span(1)
        span.status = Span.Status(code: .error, message: "boom")
        span.attributes = [SpanAttribute("ok", .bool(true)), SpanAttribute("ratio", .double(.infinity))]
        let text = OTLPEncoder(serviceName: "svc").json([span])
        #expect(text.contains(#""status":{"message":"boom","code":2}"#))
        #expect(text.contains(#"{"key":"ok","value":{"boolValue":true}}"#))
        #expect(text.contains(#"{"key":"ratio","value":{"doubleValue":"Infinity"}}"#))
        #expect(!text.contains("parentSpanId"), "a root span has no parent field")
    }

    @Test func theReceiverDecodesWhatTheEncoderWrites() throws {
        let spans = try OTLPReceiver.decode(OTLPEncoder(serviceName: "billing-proxy").encode([Self.span, SpanFixtures.span(2)], as: .httpJSON))
        #expect(spans.count == 2)
        #expect(spans[0].serviceName == "billing-proxy")
        #expect(spans[0].traceId == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(spans[0].parentSpanId == "00f067aa0ba902b7")
        #expect(spans[0].kind == 3)
        #expect(spans[0].attributes["gen_ai.usage.output_tokens"] == .int(67))
        #expect(spans[0].attributes["threadmeter.estimated_cost_usd"] == .double(0.000053))
        #expect(spans[1].parentSpanId == nil)
    }

    @Test func protobufVarintsAndFixedFieldsHaveTheirWireShape() {
        // Span.kind=3 → tag (6<<3|0)=0x30, 0x03; start time fixed64 → tag (7<<3|1)=0x39 and 8 little-endian bytes.
        let bytes = OTLPEncoder.protobufSpan(SpanFixtures.span(1))
        #expect(bytes.starts(with: [0x0A, 16] + SpanFixtures.traceID.bytes + [0x12, 8] + SpanID(2)!.bytes))
        let kind = [UInt8]([0x30, 0x03, 0x39])
        #expect(bytes.indices.contains { bytes[$0...].starts(with: kind) })
        let start = UInt64(1_706_745_600_000_000_000)
        let little = (0..<8).map { UInt8(truncatingIfNeeded: start >> UInt64(8 * $0)) }
        #expect(bytes.indices.contains { bytes[$0...].starts(with: [0x39] + little) })
    }

    /// The official protobuf classes (PyPI `opentelemetry-proto`) parse our JSON with
    /// `json_format.Parse` and our protobuf bytes with `ParseFromString`, and both give the same message.
    /// OTLP JSON writes ids as hex where proto3 JSON expects base64, so the script converts the ids
    /// (and checks they are hex) first, as the OTLP spec tells receivers built on stock JSON mappers.
    @Test(.enabled(if: ProtoPython.path != nil, "opentelemetry-proto is not installed for python3 (see .ci/run); skipped"))
    func theOfficialProtobufClassesParseBothEncodingsToTheSameMessage() async throws {
        let python = try #require(ProtoPython.path)
        var failed = SpanFixtures.span(9)
        failed.status = Span.Status(code: .error, message: "upstream_error")
        failed.attributes = [SpanAttribute("flag", .bool(false)), SpanAttribute("n", .int(-5)), SpanAttribute("x", .double(0.25))]
        let spans = [Self.span, failed]
        let json = OTLPEncoder(serviceName: "threadmeter").json(spans)
        let protobuf = OTLPEncoder(serviceName: "threadmeter").protobuf(spans)
        let script = """
        import base64, json, sys
        from google.protobuf import json_format
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
        lines = sys.stdin.read().split("\\n")
        document = json.loads(lines[0])
        for resource_spans in document["resourceSpans"]:
            for scope_spans in resource_spans["scopeSpans"]:
                for span in scope_spans["spans"]:
                    for key in ("traceId", "spanId", "parentSpanId"):
                        if key in span:
                            span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
        from_json = json_format.Parse(json.dumps(document), ExportTraceServiceRequest())
        from_proto = ExportTraceServiceRequest.FromString(base64.b64decode(lines[1]))
        span = from_json.resource_spans[0].scope_spans[0].spans[0]
        assert span.trace_id.hex() == "4bf92f3577b34da6a3ce929d0e0e4736", span.trace_id.hex()
        assert span.kind == 3 and span.start_time_unix_nano == 1706745600123456789
        assert from_json == from_proto, (from_json, from_proto)
        print(len(from_json.resource_spans[0].scope_spans[0].spans))
        """
        let result = try await offCooperativePool {
            try ChildProcess.run(python, ["-c", script], input: json + "\n" + Data(protobuf).base64EncodedString() + "\n")
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }
}

/// A python3 that can import `opentelemetry.proto`: `$OTLP_PROTO_PYTHON`, the venv `.ci/run` makes
/// under `.build/otel-venv`, or `python3` on PATH.
enum ProtoPython {
    static let path: String? = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            ProcessInfo.processInfo.environment["OTLP_PROTO_PYTHON"],
            repo.appendingPathComponent(".build/otel-venv/bin/python").path,
            "/usr/bin/python3", "/usr/local/bin/python3",
        ].compactMap { $0 }
        return candidates.first { candidate in
            guard FileManager.default.isExecutableFile(atPath: candidate),
                  let result = try? ChildProcess.run(candidate, ["-c", "import opentelemetry.proto.collector.trace.v1.trace_service_pb2"])
            else { return false }
            return result.status == 0
        }
    }()
}
