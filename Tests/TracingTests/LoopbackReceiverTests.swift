// The exporter posting to a loopback OTLP receiver with the service's HTTP client: decoded spans, headers, a receiver down or slow.
import Foundation
import Testing
import TestSupport
import Tracing

@Suite struct LoopbackReceiverTests {
    static func exporter(_ url: String, drops: SpanExporterTests.Drops = .init(), timeout: Double = 2) throws -> SpanExporter {
        var configuration = try #require(try TracingConfiguration.fromEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": url, "OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=s3cret%21", "OTEL_SERVICE_NAME": "tm-test",
        ]))
        configuration.batching.flushInterval = 0.05
        configuration.batching.initialBackoff = 0.01
        configuration.batching.maxBackoff = 0.02
        configuration.requestTimeout = timeout
        return SpanExporter(configuration: configuration, transport: HTTPClientOTLPTransport(requestTimeout: timeout), logger: .noop, onDrop: drops.record)
    }

    @Test func theReceiverGetsTheRunSpanWithItsAttributesAndTheConfiguredHeaders() async throws {
        let receiver = try OTLPReceiver()
        let exporter = try Self.exporter(receiver.baseURL)
        let span = GenAISpan.make(SpanFixtures.responsesFacts, context: SpanFixtures.context, startTimeUnixNano: 1, endTimeUnixNano: 2)
        exporter.export(span)
        let spans = await receiver.waitForSpans(1)
        #expect(receiver.decodeErrors.isEmpty)
        let received = try #require(spans.first)
        #expect(received.serviceName == "tm-test")
        #expect(received.name == "chat gpt-4o-mini")
        #expect(received.traceId == SpanFixtures.traceID.hex)
        #expect(received.attributes["gen_ai.usage.input_tokens"] == .int(89))
        #expect(received.attributes["gen_ai.conversation.id"] == .string("conv_abc"))
        let export = try #require(receiver.exports.first)
        #expect(export.path == "/v1/traces")
        #expect(export.headers["x-api-key"] == "s3cret!")
        #expect(export.headers["content-type"] == "application/json")
        await exporter.shutdown(flushTimeout: .seconds(1))
        await receiver.stop()
    }

    @Test func aReceiverThatIsDownCostsTheCallerNothingAndTheSpansAreCountedAsFailed() async throws {
        let receiver = try OTLPReceiver()
        let url = receiver.baseURL
        await receiver.stop()
        let drops = SpanExporterTests.Drops()
        let exporter = try Self.exporter(url, drops: drops)
        let elapsed = ContinuousClock().measure {
            for n in 0..<100 { exporter.export(SpanFixtures.span(n)) }
        }
        // Microseconds normally; generous for a machine running every suite at once.
        #expect(elapsed < .seconds(2))
        #expect(await exporter.flush(timeout: patience))
        #expect(drops[reason: "export_failed"] == 100)
        await exporter.shutdown(flushTimeout: .seconds(1))
    }

    @Test func aSlowReceiverDelaysNothingAndItsSpansStillArrive() async throws {
        let receiver = try OTLPReceiver()
        receiver.behave(delay: .seconds(10))
        let exporter = try Self.exporter(receiver.baseURL, timeout: 5)
        let elapsed = ContinuousClock().measure {
            for n in 0..<10 { exporter.export(SpanFixtures.span(n)) }
        }
        // An export that waited for the receiver would take 10 s; microseconds normally.
        #expect(elapsed < .seconds(5))
        #expect(await receiver.waitForSpans(10).count == 10)
        await exporter.shutdown(flushTimeout: .seconds(2))
        await receiver.stop()
    }
}
