// The shipper, with the service's HTTPClient transport, against a loopback HTTP collector: batches, auth header, retries, drops, never blocking.
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Telemetry
import ThreadMeterApp

@Suite struct UsageEventShipperTests {
    static func event(_ n: Int) -> UsageEvent {
        UsageEvent(time: Date(timeIntervalSince1970: 1_706_745_600 + Double(n)), threadId: "thread_\(n)", runId: "run_\(n)",
                   account: "Acme", model: "gpt-4o-mini", inputTokens: n, outputTokens: 1, costUSD: 0.001,
                   usageSource: "upstream", streaming: true, status: "completed")
    }

    /// A long flush interval keeps batches deterministic: partial batches go out only when `drain` flushes them.
    static func configuration(_ url: URL, batchSize: Int = 3, capacity: Int = 100, maxAttempts: Int = 4) -> UsageEventShipper.Configuration {
        var configuration = UsageEventShipper.Configuration(url: url, token: "hec-token")
        configuration.batchSize = batchSize
        configuration.queueCapacity = capacity
        configuration.flushInterval = 30
        configuration.maxAttempts = maxAttempts
        configuration.initialBackoff = 0.02
        configuration.maxBackoff = 0.1
        // Generous: a request timed out by a stalled (loaded) test process would count as a failed attempt.
        configuration.requestTimeout = 15
        configuration.host = "tm-test"
        return configuration
    }

    /// The service's transport (the project's HTTP client), so these tests cover the wire too.
    static func transport() -> HTTPClientUsageWebhookTransport { HTTPClientUsageWebhookTransport(requestTimeout: 15) }

    /// Threads ids of the events in a collector request body, in order.
    static func threadIds(_ request: LoopbackCollector.Request) throws -> [String] {
        try request.body.split(separator: "\n").map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let event = try #require(object["event"] as? [String: Any])
            return try #require(event["thread_id"] as? String)
        }
    }

    @Test func postsBatchesOfHecEventsWithTheSplunkAuthorizationHeader() async throws {
        let collector = try LoopbackCollector()
        defer { collector.stop() }
        let drops = Mutex(0)
        let shipper = UsageEventShipper(configuration: Self.configuration(collector.url), transport: UsageEventShipperTests.transport(), logger: .noop) { count in drops.withLock { $0 += count } }
        for n in 1...7 { #expect(shipper.enqueue(Self.event(n))) }
        #expect(await shipper.drain(timeout: patience))
        let requests = collector.requests
        #expect(requests.count == 3)
        #expect(try requests.flatMap(Self.threadIds) == (1...7).map { "thread_\($0)" })
        #expect(try Self.threadIds(requests[0]).count == 3)
        for request in requests {
            #expect(request.method == "POST")
            #expect(request.path == "/services/collector/event")
            #expect(request.headers["authorization"] == "Splunk hec-token")
            #expect(request.headers["content-type"] == "application/json")
        }
        #expect(drops.withLock { $0 } == 0)
        await shipper.shutdown(timeout: .seconds(1))
    }

    @Test func aServerErrorIsRetriedAndTheSameBatchDeliveredOnce() async throws {
        let collector = try LoopbackCollector(statuses: [503, 500])
        defer { collector.stop() }
        let shipper = UsageEventShipper(configuration: Self.configuration(collector.url), transport: UsageEventShipperTests.transport(), logger: .noop) { _ in }
        for n in 1...2 { shipper.enqueue(Self.event(n)) }
        #expect(await shipper.drain(timeout: patience))
        let bodies = collector.requests.map(\.body)
        #expect(bodies.count == 3)
        #expect(Set(bodies).count == 1, "every attempt carries the same batch")
        await shipper.shutdown(timeout: .seconds(1))
    }

    @Test func aBatchRefusedWithAClientErrorIsDroppedAndCounted() async throws {
        let collector = try LoopbackCollector(statuses: [403])
        defer { collector.stop() }
        let drops = Mutex(0)
        let shipper = UsageEventShipper(configuration: Self.configuration(collector.url), transport: UsageEventShipperTests.transport(), logger: .noop) { count in drops.withLock { $0 += count } }
        for n in 1...2 { shipper.enqueue(Self.event(n)) }
        #expect(await shipper.drain(timeout: patience))
        #expect(collector.requests.count == 1)
        #expect(drops.withLock { $0 } == 2)
        await shipper.shutdown(timeout: .seconds(1))
    }

    @Test func anUnreachableCollectorExhaustsRetriesAndCountsEveryDroppedEvent() async throws {
        let unreachable = try LoopbackCollector()
        let url = unreachable.url
        unreachable.stop()
        let drops = Mutex(0)
        let shipper = UsageEventShipper(configuration: Self.configuration(url, batchSize: 5, capacity: 4, maxAttempts: 2), transport: UsageEventShipperTests.transport(), logger: .noop) { count in
            drops.withLock { $0 += count }
        }
        let accepted = (1...10).filter { shipper.enqueue(Self.event($0)) }.count
        #expect(accepted == 4)
        #expect(drops.withLock { $0 } == 6, "refused at enqueue because the queue holds 4")
        #expect(await shipper.drain(timeout: patience))
        #expect(drops.withLock { $0 } == 10, "the 4 queued ones are dropped once their retries are exhausted")
        await shipper.shutdown(timeout: .seconds(1))
    }

    @Test func enqueueNeverWaitsForTheNetwork() async throws {
        let collector = try LoopbackCollector(statuses: Array(repeating: 503, count: 10_000))
        defer { collector.stop() }
        let drops = Mutex(0)
        let shipper = UsageEventShipper(configuration: Self.configuration(collector.url, batchSize: 100, capacity: 1_000, maxAttempts: 10_000), transport: UsageEventShipperTests.transport(), logger: .noop) { count in
            drops.withLock { $0 += count }
        }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for n in 0..<20_000 { shipper.enqueue(Self.event(n)) }
        }
        // Milliseconds normally; an enqueue that waited for the collector's answers would take
        // 200 round trips and retries. Generous for a machine running every suite at once.
        #expect(elapsed < .seconds(10), "20k enqueues took \(elapsed)")
        // The first batch stays in flight (retrying), so at most the queue plus that batch were accepted.
        #expect(drops.withLock { $0 } >= 20_000 - 1_000 - 100)
        await shipper.shutdown(timeout: .milliseconds(50))
        #expect(shipper.pendingCount == 0, "shutdown drops (and counts) what it could not deliver")
    }

    @Test func refusalsAreLoggedOncePerThousandNotPerEvent() async throws {
        let collector = try LoopbackCollector()
        defer { collector.stop() }
        let sink = MemoryLogSink()
        let shipper = UsageEventShipper(
            configuration: Self.configuration(collector.url, batchSize: 100, capacity: 1),
            transport: UsageEventShipperTests.transport(), logger: Logger(label: "test", level: .info, sink: sink)) { _ in }
        for n in 0..<2_500 { shipper.enqueue(Self.event(n)) }
        let warnings = sink.records.filter { $0.message.hasPrefix("usage events refused") }
        #expect(warnings.map { $0.metadata.first { $0.0 == "refused_total" }?.1 } == ["1", "1000", "2000"])
        await shipper.shutdown(timeout: .seconds(1))
    }

    @Test func configurationComesFromTheEnvironmentWithClearErrors() throws {
        #expect(try UsageEventShipper.Configuration.fromEnvironment([:]) == nil)
        #expect(try UsageEventShipper.Configuration.fromEnvironment(["USAGE_WEBHOOK_URL": ""]) == nil)
        let configuration = try #require(try UsageEventShipper.Configuration.fromEnvironment([
            "USAGE_WEBHOOK_URL": "https://hec.example:8088/services/collector/event", "USAGE_WEBHOOK_TOKEN": "t0k",
            "USAGE_WEBHOOK_BATCH_SIZE": "50", "USAGE_WEBHOOK_QUEUE_CAPACITY": "500", "USAGE_WEBHOOK_FLUSH_SECONDS": "2.5",
        ]))
        #expect(configuration.token == "t0k")
        #expect(configuration.batchSize == 50)
        #expect(configuration.queueCapacity == 500)
        #expect(configuration.flushInterval == 2.5)
        #expect(throws: UsageEventShipper.ConfigurationError.self) {
            try UsageEventShipper.Configuration.fromEnvironment(["USAGE_WEBHOOK_URL": "ftp://x/y"])
        }
        #expect(throws: UsageEventShipper.ConfigurationError(variable: "USAGE_WEBHOOK_BATCH_SIZE", message: "must be a positive integer, got 0")) {
            try UsageEventShipper.Configuration.fromEnvironment(["USAGE_WEBHOOK_URL": "http://h/", "USAGE_WEBHOOK_BATCH_SIZE": "0"])
        }
    }
}

@Suite struct UsageEventShipperTimingTests {
    @Test func aPartialBatchIsSentAfterTheFlushIntervalWithoutDrain() async throws {
        let collector = try LoopbackCollector()
        defer { collector.stop() }
        var configuration = UsageEventShipperTests.configuration(collector.url, batchSize: 10)
        configuration.flushInterval = 0.05
        let shipper = UsageEventShipper(configuration: configuration, transport: UsageEventShipperTests.transport(), logger: .noop) { _ in }
        shipper.enqueue(UsageEventShipperTests.event(1))
        let requests = await collector.waitForRequests(1)
        #expect(try requests.flatMap(UsageEventShipperTests.threadIds) == ["thread_1"])
        await shipper.shutdown(timeout: .seconds(1))
    }
}
