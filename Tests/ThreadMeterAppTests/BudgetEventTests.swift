import Foundation
import HTTPServer
import HTTPWire
import Metering
import Synchronization
import Telemetry
import Testing
import TestSupport
@testable import ThreadMeterApp

/// `budget_warning` and `budget_exceeded` reach the log and the usage webhook (HEC), so operators
/// can alert on them.
@Suite struct BudgetEventTests {
    @Test func warningAndExceeded_arePostedAsBudgetEvents_andLogged() async throws {
        let received = Mutex<[String]>([])
        try await withTestServer(handler: { request, _ in
            received.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
            return HTTPResponse(status: 200, body: .bytes(Array(#"{"text":"Success","code":0}"#.utf8)))
        }) { collectorPort in
            try await withTestApp(configure: {
                $0.usageWebhookURL = "http://127.0.0.1:\(collectorPort)/services/collector/event"
                $0.usageWebhookToken = "hec-token"
            }, upstream: ScriptedUpstream([])) { app in
                try await app.setBudget("account/Acme", #"{"window":"total","max_tokens":15}"#)
                #expect(try await app.streamedQuery(account: "Acme").status == 200)
                #expect(try await app.streamedQuery(account: "Acme").status == 429)
                let exceeded = try #require(app.logEvents("budget_exceeded").first)
                let fields = Dictionary(exceeded.metadata, uniquingKeysWith: { a, _ in a })
                #expect(fields["scope"] == "account")
                #expect(fields["key"] == "Acme")
                #expect(fields["used_tokens"] == "15")
                #expect(fields["max_tokens"] == "15")
                #expect(exceeded.level == .warning)
                #expect(app.logEvents("budget_warning").count == 1)
                await app.service.shutdown()
            }
        }
        let lines = received.withLock { $0 }.joined(separator: "\n").split(separator: "\n")
        let budgetEvents = try lines.filter { $0.contains("threadmeter:budget") }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let types = budgetEvents.compactMap { ($0["event"] as? [String: Any])?["type"] as? String }
        #expect(types.sorted() == ["budget_exceeded", "budget_warning"])
        let exceeded = try #require(budgetEvents.first { ($0["event"] as? [String: Any])?["type"] as? String == "budget_exceeded" })
        let event = try #require(exceeded["event"] as? [String: Any])
        #expect(exceeded["sourcetype"] as? String == "threadmeter:budget")
        #expect(event["account"] as? String == "Acme")
        #expect(event["thread_id"] is NSNull, "refused before a thread existed")
        #expect(event["used_tokens"] as? Int == 15)
        #expect(event["resets_at"] is NSNull)
        #expect(lines.filter { $0.contains("threadmeter:usage") }.count == 1, "one run, one usage event")
    }
}
