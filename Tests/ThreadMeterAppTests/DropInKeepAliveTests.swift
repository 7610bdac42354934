// `: keep-alive` comments on relayed drop-in streams while the upstream is silent (§8 allows `:` lines).
import Foundation
import Metering
import MockUpstream
import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite("Drop-in keep-alive", .serialized)
struct DropInKeepAliveTests {
    static let headers = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]
    static let comment = ": keep-alive\n\n"

    @Test("a stalled upstream stream gets a keep-alive comment between whole events (injected timer); the events are relayed unchanged and accounted once")
    func silenceGetsAComment() async throws {
        let fixture = RecordedFixtures.assistantsRunStream
        let split = try #require(fixture.range(of: "\n\n"))
        let firstEvent = String(fixture[..<split.upperBound])
        let rest = String(fixture[split.upperBound...])
        let release = DispatchSemaphore(value: 0)
        // The upstream sends its first event, then stays silent until the test releases it.
        let upstream = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(DropInRelayTests.streamHead + DropInRelayTests.chunk(firstEvent))
            release.wait()
            connection.write(DropInRelayTests.chunk(rest) + "0\r\n\r\n")
        }
        defer { upstream.stop() }
        let timer = TestClock()
        try await withTestApp(configure: {
            $0.openAIAPIKey = "sk-upstream-secret"
            $0.openAIBaseURL = upstream.baseURL.absoluteString
            $0.apiKeys = [dropInClientKey]
            $0.sseKeepAliveSeconds = 15
        }, timerClock: timer) { app in
            let stream = try await openEventStream(port: app.port, path: "/v1/threads/thread_dB4z9zt6oQzQjaIovFt995j3/runs",
                                                   headers: [("Authorization", "Bearer \(dropInClientKey)"), ("Content-Type", "application/json")],
                                                   body: Array(#"{"assistant_id":"asst_test","stream":true}"#.utf8))
            defer { stream.close() }
            let first = try #require(try await stream.nextEvent())
            #expect(!first.isComment)
            // 15 s of upstream silence on the injected clock (sleepers: the eviction timer and this stream's ticker).
            var comment: TestSSEEvent?
            for _ in 0..<20 where comment == nil {
                await timer.waitForSleepers(2)
                timer.advance(by: .seconds(15))
                comment = try? await stream.nextEvent(timeout: .milliseconds(250), includeComments: true)
            }
            release.signal()
            #expect(comment?.isComment == true)
            #expect(comment?.comments == ["keep-alive"])
            var events: [TestSSEEvent] = []
            while let event = try await stream.nextEvent() { events.append(event) }
            #expect(events.last?.data == "[DONE]")
            let records = try #require(app.ledger as? InMemoryLedger).records
            #expect(records.count == 1 && records.first?.usage.inputTokens == 62 && records.first?.usage.outputTokens == 49)
        }
    }

    @Test("a stream without silence gets no comment")
    func noSilenceNoComment() async throws {
        try await withDropInApp(mockSettings: { $0.deltaCount = 6 }, service: { $0.sseKeepAliveSeconds = 10 }) { app, mock in
            let thread = mock.makeThread()
            let response = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.headers,
                                                 body: Data(#"{"assistant_id":"asst_test","stream":true}"#.utf8))
            #expect(response.status == 200)
            #expect(!response.text.contains(": keep-alive"))
            #expect(response.text.hasSuffix("data: [DONE]\n\n"))
            #expect(try await app.threadFigures(thread)?.runs == 1)
        }
    }

    /// The response id of a relayed Responses stream (its `response.created` event).
    static func responseId(_ events: String) -> String? {
        guard let range = events.range(of: #""id": ?"resp_[A-Za-z0-9_-]+""#, options: .regularExpression) else { return nil }
        return String(events[range].split(separator: "\"").last ?? "")
    }
}
