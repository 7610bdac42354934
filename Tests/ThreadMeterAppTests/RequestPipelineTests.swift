import Testing
@testable import ThreadMeterApp
import Upstream

@Suite struct RequestPipelineTests {
    @Test func aStreamedResponseIsLoggedAndCountedOnceWhenItEnds() async throws {
        try await withTestApp { app in
            let events = try await app.query(["query": "q"]).events
            #expect(events.last?.type == "stream_complete")
            let threadId = try #require(events.first?.data["thread_id"] as? String)
            let lines = app.logs.records.filter { $0.label.hasSuffix("access") && $0.message.hasPrefix("POST /v1/query") }
            #expect(lines.count == 1)
            #expect(lines.first?.message == "POST /v1/query 200")
            #expect(lines.first?.metadata.contains { $0.0 == "thread_id" && $0.1 == threadId } == true)
            let metrics = app.service.metrics.render()
            #expect(metrics.contains(#"threadmeter_http_requests_total{route="/v1/query",method="POST",status="200"} 1"#), "\(metrics)")
        }
    }

    @Test func queriesAreRefusedWhileDrainingAfterTheirAuthCheck() async throws {
        try await withTestApp(configure: { $0.apiKeys = ["k"] }) { app in
            await app.service.shutdown()
            let response = await app.service.handle(.init(method: "POST", target: "/v1/query", headers: ["Authorization": "Bearer k"],
                                                          body: Array(#"{"query":"q"}"#.utf8)),
                                                    .init(remoteAddress: "127.0.0.1:1", requestId: "r"))
            #expect(response.status == 503)
            let anonymous = await app.service.handle(.init(method: "POST", target: "/v1/query", body: Array(#"{"query":"q"}"#.utf8)),
                                                     .init(remoteAddress: "127.0.0.1:1", requestId: "r"))
            #expect(anonymous.status == 401)
        }
    }
}

@Suite struct KeepAliveTickerTests {
    @Test func keepAlivesFollowUpstreamSilenceNotAFixedPeriod() async {
        let (events, continuation) = AsyncStream.makeStream(of: RunEvent.self)
        let ticker = KeepAliveTicker(events: events, interval: 0.3)
        let collector = Task {
            var items: [String] = []
            for await item in ticker.stream {
                switch item {
                case .keepAlive: items.append("tick")
                case .event: items.append("event")
                }
            }
            return items
        }
        // Events every 50 ms for 600 ms: the upstream is never silent for 300 ms.
        for _ in 0..<12 {
            continuation.yield(.delta("x"))
            try? await Task.sleep(for: .milliseconds(50))
        }
        // Then silence for 800 ms: at least one tick.
        try? await Task.sleep(for: .milliseconds(800))
        continuation.finish()
        let items = await collector.value
        ticker.cancel()
        let firstTick = items.firstIndex(of: "tick")
        #expect(firstTick == nil || firstTick! >= 12, "no tick while events keep coming: \(items)")
        #expect(items.contains("tick"), "a tick once the upstream falls silent: \(items)")
    }
}
