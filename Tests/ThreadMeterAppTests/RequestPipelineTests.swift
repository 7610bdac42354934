import Testing
@testable import ThreadMeterApp

@Suite struct RequestPipelineTests {
    @Test func aStreamedResponseIsLoggedAndCountedOnceWhenItEnds() async throws {
        try await withInProcessApp { app in
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

@Suite struct KeepAliveScheduleTests {
    @Test func keepAlivesFollowUpstreamSilenceNotAFixedPeriod() {
        let t0 = ContinuousClock.now
        var schedule = KeepAliveSchedule(interval: .seconds(15), start: t0)
        schedule.eventSent(at: t0 + .seconds(10))
        let atFifteen = schedule.keepAliveDue(at: t0 + .seconds(15))
        #expect(!atFifteen, "15 s after the start but only 5 s of silence")
        #expect(schedule.nextDue == t0 + .seconds(25))
        let atTwentyFive = schedule.keepAliveDue(at: t0 + .seconds(25))
        #expect(atTwentyFive)
        #expect(schedule.nextDue == t0 + .seconds(40), "the next one after another 15 s of silence")
        schedule.eventSent(at: t0 + .seconds(30))
        let atForty = schedule.keepAliveDue(at: t0 + .seconds(40))
        let atFortyFive = schedule.keepAliveDue(at: t0 + .seconds(45))
        #expect(!atForty && atFortyFive)
    }
}
