import Foundation
import HTTPServer
import HTTPWire
import Metering
import Synchronization
import Testing
import TestSupport
@testable import ThreadMeterApp

@Suite struct UsageEventTests {
    @Test func eachRunProducesOneUsageLogLine() async throws {
        try await withInProcessApp { app in
            let events = try await app.query(["query": "q", "accountName": "Acme"]).events
            let threadId = try #require(events[0].data["thread_id"] as? String)
            let lines = app.logs.records.filter { $0.label == "usage" }
            #expect(lines.count == 1)
            let fields = Dictionary(lines.first?.metadata ?? [], uniquingKeysWith: { a, _ in a })
            #expect(fields.values.contains(threadId))
            #expect(fields.values.contains("Acme"))
        }
    }

    @Test func usageEventsArePostedToTheWebhookWithTheSplunkToken() async throws {
        let received = Mutex<[(String?, String)]>([])
        try await withTestServer(handler: { request, _ in
            received.withLock { $0.append((request.headers["Authorization"], String(decoding: request.body, as: UTF8.self))) }
            return HTTPResponse(status: 200, body: .bytes(Array(#"{"text":"Success","code":0}"#.utf8)))
        }) { collectorPort in
            try await withTestApp(configure: {
                $0.usageWebhookURL = "http://127.0.0.1:\(collectorPort)/services/collector/event"
                $0.usageWebhookToken = "hec-token"
            }) { app in
                _ = try await app.query(["query": "q"])
                _ = try await app.query(["query": "q2"])
                await app.service.shutdown()
            }
        }
        let posts = received.withLock { $0 }
        #expect(!posts.isEmpty)
        #expect(posts.allSatisfy { $0.0 == "Splunk hec-token" })
        let body = posts.map(\.1).joined(separator: "\n")
        #expect(body.components(separatedBy: "threadmeter:usage").count - 1 == 2, "two runs, two events")
    }
}
