// The exporter with the in-memory transport: batches, drops by reason, flush on shutdown, never blocking.
import Foundation
import Synchronization
import Telemetry
import Testing
import TestSupport
@testable import Tracing

@Suite struct SpanExporterTests {
    /// A long flush interval keeps batches deterministic: partial batches go out when flushed.
    static func configuration(batchSize: Int = 512, capacity: Int = 2_048, maxAttempts: Int = 3) -> TracingConfiguration {
        var configuration = TracingConfiguration(endpoint: URL(string: "http://127.0.0.1:4318/v1/traces")!)
        configuration.batching = BatchPolicy(
            capacity: capacity, batchSize: batchSize, flushInterval: 30, maxAttempts: maxAttempts, initialBackoff: 0.01, maxBackoff: 0.02)
        configuration.headers = [.init("x-tenant", "acme")]
        return configuration
    }

    final class Drops: Sendable {
        let counts = Mutex([String: Int]())
        func record(_ count: Int, _ reason: String) { counts.withLock { $0[reason, default: 0] += count } }
        subscript(reason reason: String) -> Int { counts.withLock { $0[reason] ?? 0 } }
    }

    static func spanNames(_ post: InMemoryOTLPTransport.Post) throws -> [String] {
        try OTLPReceiver.decode(post.body).map(\.name)
    }

    @Test func spansGoOutInBatchesOfAtMostBatchSizeInOrder() async throws {
        let transport = InMemoryOTLPTransport()
        let drops = Drops()
        let exporter = SpanExporter(configuration: Self.configuration(), transport: transport, logger: .noop, onDrop: drops.record)
        for n in 0..<1_100 { #expect(exporter.export(SpanFixtures.span(n))) }
        #expect(await exporter.flush(timeout: patience))
        let posts = transport.posts
        #expect(try posts.map { try Self.spanNames($0).count } == [512, 512, 76])
        #expect(try posts.flatMap(Self.spanNames) == (0..<1_100).map { "span \($0)" })
        let post = try #require(posts.first)
        #expect(post.url.absoluteString == "http://127.0.0.1:4318/v1/traces")
        #expect(post.headers == [.init("Content-Type", "application/json"), .init("x-tenant", "acme")])
        #expect(drops.counts.withLock { $0.isEmpty })
        await exporter.shutdown(flushTimeout: .seconds(1))
    }

    @Test func aFullQueueDropsSpansAndCountsThemAsQueueFull() async throws {
        let transport = InMemoryOTLPTransport()
        let drops = Drops()
        let exporter = SpanExporter(configuration: Self.configuration(batchSize: 100, capacity: 10), transport: transport, logger: .noop, onDrop: drops.record)
        let accepted = (0..<25).filter { exporter.export(SpanFixtures.span($0)) }.count
        #expect(accepted == 10)
        #expect(drops[reason: "queue_full"] == 15)
        await exporter.shutdown(flushTimeout: .seconds(5))
        #expect(try transport.posts.flatMap(Self.spanNames).count == 10)
    }

    @Test func aRefusedOrUndeliverableBatchIsCountedAsExportFailed() async throws {
        let transport = InMemoryOTLPTransport(script: [.status(400, retryAfter: nil), .failed("connection refused"), .status(503, retryAfter: nil)])
        let drops = Drops()
        let exporter = SpanExporter(configuration: Self.configuration(batchSize: 2, maxAttempts: 2), transport: transport, logger: .noop, onDrop: drops.record)
        for n in 0..<4 { exporter.export(SpanFixtures.span(n)) }
        #expect(await exporter.flush(timeout: patience))
        #expect(transport.posts.count == 3, "400 is final; a network error is retried once, then dropped")
        #expect(drops[reason: "export_failed"] == 4)
        await exporter.shutdown(flushTimeout: .seconds(1))
    }

    @Test func aRetryableStatusIsRetriedAndTheBatchDeliveredOnce() async throws {
        let transport = InMemoryOTLPTransport(script: [.status(429, retryAfter: nil), .status(502, retryAfter: nil)])
        let drops = Drops()
        let exporter = SpanExporter(configuration: Self.configuration(maxAttempts: 3), transport: transport, logger: .noop, onDrop: drops.record)
        exporter.export(SpanFixtures.span(1))
        #expect(await exporter.flush(timeout: patience))
        #expect(transport.posts.count == 3)
        #expect(Set(transport.posts.map(\.body)).count == 1)
        #expect(drops.counts.withLock { $0.isEmpty })
        await exporter.shutdown(flushTimeout: .seconds(1))
    }

    @Test func shutdownFlushesWhatIsQueuedWithoutWaitingForTheInterval() async throws {
        let transport = InMemoryOTLPTransport()
        let exporter = SpanExporter(configuration: Self.configuration(), transport: transport, logger: .noop) { _, _ in }
        for n in 0..<3 { exporter.export(SpanFixtures.span(n)) }
        #expect(transport.posts.isEmpty, "the 30 s flush interval has not passed")
        await exporter.shutdown(flushTimeout: .seconds(5))
        #expect(try transport.posts.flatMap(Self.spanNames) == ["span 0", "span 1", "span 2"])
        #expect(!exporter.export(SpanFixtures.span(4)), "refused after shutdown")
    }

    @Test func shutdownDropsAndCountsWhatItCouldNotDeliverInTime() async throws {
        let transport = InMemoryOTLPTransport(delay: .seconds(5))
        let drops = Drops()
        let exporter = SpanExporter(configuration: Self.configuration(), transport: transport, logger: .noop, onDrop: drops.record)
        for n in 0..<3 { exporter.export(SpanFixtures.span(n)) }
        await exporter.shutdown(flushTimeout: .milliseconds(50))
        #expect(drops[reason: "shutdown"] == 3)
        #expect(exporter.pendingCount == 0)
    }

    @Test func aSlowReceiverNeverDelaysExport() async throws {
        let transport = InMemoryOTLPTransport(delay: .seconds(30))
        let drops = Drops()
        let exporter = SpanExporter(configuration: Self.configuration(batchSize: 100, capacity: 1_000), transport: transport, logger: .noop, onDrop: drops.record)
        let elapsed = ContinuousClock().measure {
            for n in 0..<20_000 { exporter.export(SpanFixtures.span(n)) }
        }
        // Milliseconds normally. An export that waited for the receiver would take 30 s per post;
        // the bound sits well below that and far above a loaded two-core machine running every suite.
        #expect(elapsed < .seconds(15), "20k exports took \(elapsed)")
        #expect(drops[reason: "queue_full"] >= 20_000 - 1_000 - 100)
        await exporter.shutdown(flushTimeout: .milliseconds(20))
    }

    @Test func aPartialBatchGoesOutAfterTheFlushInterval() async throws {
        let transport = InMemoryOTLPTransport()
        var configuration = Self.configuration()
        configuration.batching.flushInterval = 0.05
        let exporter = SpanExporter(configuration: configuration, transport: transport, logger: .noop) { _, _ in }
        exporter.export(SpanFixtures.span(1))
        #expect(await eventually { !transport.posts.isEmpty }, "no post after the flush interval")
        #expect(transport.posts.count == 1)
        await exporter.shutdown(flushTimeout: .seconds(1))
    }

    @Test func theProtobufProtocolPostsProtobufBytes() async throws {
        let transport = InMemoryOTLPTransport()
        var configuration = Self.configuration()
        configuration.wireProtocol = .httpProtobuf
        let exporter = SpanExporter(configuration: configuration, transport: transport, logger: .noop) { _, _ in }
        exporter.export(SpanFixtures.span(1))
        await exporter.shutdown(flushTimeout: .seconds(5))
        let post = try #require(transport.posts.first)
        #expect(post.headers.first == .init("Content-Type", "application/x-protobuf"))
        #expect(post.body == OTLPEncoder(serviceName: "threadmeter").protobuf([SpanFixtures.span(1)]))
    }
}
