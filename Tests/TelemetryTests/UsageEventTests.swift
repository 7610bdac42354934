// The usage event's HEC JSON line and its log metadata.
import Foundation
import Testing
@testable import Telemetry

@Suite struct UsageEventTests {
    static let event = UsageEvent(
        time: Date(timeIntervalSince1970: 1_706_745_600.25), threadId: "thread_abc", runId: "run_1", account: "Acme \"EU\"",
        model: "gpt-4o-mini", inputTokens: 89, outputTokens: 67, costUSD: 0.000053, usageSource: "upstream",
        streaming: true, status: "completed", requestId: "r-17")

    @Test func encodesAsOneSplunkHecEventLine() {
        #expect(Self.event.hecJSON(host: "tm-1") == #"""
        {"time":1706745600.250,"host":"tm-1","source":"threadmeter","sourcetype":"threadmeter:usage","event":{"thread_id":"thread_abc","run_id":"run_1","account":"Acme \"EU\"","model":"gpt-4o-mini","input_tokens":89,"output_tokens":67,"total_tokens":156,"estimated_cost_usd":5.3e-05,"usage_source":"upstream","streaming":true,"status":"completed","request_id":"r-17"}}
        """#)
    }

    @Test func missingValuesAreNullAndResponsesDetailsAppearWhenKnown() throws {
        let event = UsageEvent(
            time: Date(timeIntervalSince1970: 0), threadId: "conv_1", runId: nil, account: nil, model: nil,
            inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2, costUSD: nil,
            usageSource: "estimated", streaming: false, status: "failed")
        let line = event.hecJSON()
        #expect(!line.contains("\"host\""))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let fields = try #require(object["event"] as? [String: Any])
        #expect(object["sourcetype"] as? String == "threadmeter:usage")
        #expect(fields["run_id"] is NSNull)
        #expect(fields["account"] is NSNull)
        #expect(fields["model"] is NSNull)
        #expect(fields["estimated_cost_usd"] is NSNull)
        #expect(fields["cached_input_tokens"] as? Int == 4)
        #expect(fields["reasoning_tokens"] as? Int == 2)
        #expect(fields["total_tokens"] as? Int == 15)
        #expect(fields["streaming"] as? Bool == false)
    }

    @Test func logMetadataBecomesJsonNumbersInAJsonLogLine() throws {
        let record = LogRecord(time: Date(timeIntervalSince1970: 0), level: .info, label: "usage", message: "run usage",
                               metadata: Self.event.logMetadata)
        let line = LogLineFormatter.format(record, as: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "usage")
        #expect(object["thread_id"] as? String == "thread_abc")
        #expect(object["input_tokens"] as? Int == 89)
        #expect(object["total_tokens"] as? Int == 156)
        #expect(object["estimated_cost_usd"] as? Double == 0.000053)
        #expect(object["account"] as? String == "Acme \"EU\"")
    }

    @Test(arguments: [(0.000053, "0.000053"), (1.5, "1.5"), (2, "2"), (0, "0"), (1e-12, "0")])
    func costsAreWrittenInFixedPointForLogs(value: Double, expected: String) {
        #expect(UsageEvent.fixedPoint(value) == expected)
    }
}
