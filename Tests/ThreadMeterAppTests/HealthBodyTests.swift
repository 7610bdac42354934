import JSONText
import Testing
@testable import ThreadMeterApp

/// `/health` writes its body straight into bytes; it must be the text the JSON writer gives.
@Suite struct HealthBodyTests {
    @Test(arguments: [true, false])
    func theBodyIsTheJSONWritersText(_ healthy: Bool) throws {
        let body = HealthBody(healthy: healthy, timestampMillis: 1_764_766_845_120, activeThreads: 3, totalTokensTracked: 12_345,
                              assistantIdSet: !healthy, upstreamKind: "assistants", storageBackend: "sqlite \"wal\"")
        let expected = JSONValue.object([
            ("status", .string(healthy ? "healthy" : "unhealthy")),
            ("timestamp", .double(1_764_766_845.12)),
            ("token_tracking", .object([("active_threads", .int(3)), ("total_tokens_tracked", .int(12_345))])),
            ("assistant_id", .bool(!healthy)),
            ("upstream", .string("assistants")),
            ("storage", .string(healthy ? "ok" : "error")),
            ("storage_backend", .string("sqlite \"wal\"")),
        ])
        #expect(String(decoding: body.bytes, as: UTF8.self) == expected.serialized())
        #expect(try JSONReader.read(body.bytes) == expected)
    }

    @Test func theAccessLogDurationHasTwoDecimals() {
        #expect(AccessLogLine.milliseconds(0.00125) == "1.25")
        #expect(AccessLogLine.milliseconds(0) == "0.00")
        #expect(AccessLogLine.milliseconds(2.5) == "2500.00")
        #expect(AccessLogLine.milliseconds(0.0000049) == "0.00")
    }
}
