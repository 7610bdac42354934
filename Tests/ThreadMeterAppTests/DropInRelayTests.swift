// The drop-in relay on the wire: byte-exact events, usage committed before the terminal event,
// client disconnects, and the ledger's surface.
import Foundation
import HTTPWire
import Metering
import MockUpstream
import Synchronization
import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite("Drop-in relay", .serialized)
struct DropInRelayTests {
    static let auth = ("Authorization", "Bearer \(dropInClientKey)")

    /// One chunk of chunked transfer coding.
    static func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }

    static let streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nx-request-id: req_fixture\r\nx-ratelimit-limit-requests: 9731\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// The service against a scripted upstream (`OPENAI_BASE_URL` = the scripted server).
    static func withScriptedApp(_ upstream: ScriptedHTTPServer, _ body: (TestApp) async throws -> Void) async throws {
        try await withTestApp(configure: {
            $0.openAIAPIKey = "sk-upstream-secret"
            $0.openAIBaseURL = upstream.baseURL.absoluteString
            $0.apiKeys = [dropInClientKey]
        }, body)
        upstream.stop()
    }

    @Test("an Assistants run stream is relayed byte for byte (the recorded fixture, [DONE] included) and accounted once")
    func assistantsFixtureRelayedByteForByte() async throws {
        let fixture = RecordedFixtures.assistantsRunStream
        let log = RequestLog()
        let upstream = try ScriptedHTTPServer.answering(Self.streamHead + Self.chunk(fixture) + "0\r\n\r\n", log: log)
        try await Self.withScriptedApp(upstream) { app in
            let body = Data(#"{"assistant_id":"asst_test","stream":true,"metadata":{"account":"Acme"}}"#.utf8)
            let response = try await app.request("POST", "/v1/threads/thread_dB4z9zt6oQzQjaIovFt995j3/runs?include=x",
                                                 headers: ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json",
                                                           "Idempotency-Key": "idem-1"], body: body)
            #expect(response.status == 200)
            #expect(response.text == fixture)
            #expect(response.header("x-request-id") == "req_fixture")
            #expect(response.header("x-ratelimit-limit-requests") == "9731")
            let sent = try #require(log.all.first)
            #expect(sent.hasPrefix("POST /v1/threads/thread_dB4z9zt6oQzQjaIovFt995j3/runs?include=x HTTP/1.1"))
            #expect(sent.contains("Authorization: Bearer sk-upstream-secret"))
            #expect(!sent.contains(dropInClientKey))
            #expect(sent.contains("OpenAI-Beta: assistants=v2"))
            #expect(sent.contains("Idempotency-Key: idem-1"))
            #expect(sent.hasSuffix(String(decoding: body, as: UTF8.self)), "the body went upstream unchanged")
            let records = try #require(app.ledger as? InMemoryLedger).records
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.runId == "run_tFMIkOX3TiujVMY3DeuHJT0z" && record.surface == .assistants && record.account == "Acme")
            #expect(record.usage.inputTokens == 62 && record.usage.outputTokens == 49 && record.status == .completed)
            #expect(try await app.threadFigures("thread_dB4z9zt6oQzQjaIovFt995j3")?.runs == 1)
            // Metrics count it like a /v1/query run.
            let metrics = try await app.request("GET", "/metrics").text
            #expect(metrics.contains(#"threadmeter_runs_total{outcome="completed",usage_source="upstream"} 1"#), "\(metrics.split(separator: "\n").filter { $0.contains("runs_total") })")
        }
    }

    @Test("a Responses stream is relayed byte for byte and accounted under its conversation")
    func responsesFixtureRelayedByteForByte() async throws {
        let fixture = RecordedFixtures.responsesStream
        let upstream = try ScriptedHTTPServer.answering(Self.streamHead + Self.chunk(fixture) + "0\r\n\r\n")
        try await Self.withScriptedApp(upstream) { app in
            let body = Data(#"{"model":"gpt-4o-mini","input":"hi","stream":true}"#.utf8)
            let response = try await app.request("POST", "/v1/responses",
                                                 headers: ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"], body: body)
            #expect(response.status == 200)
            #expect(response.text == fixture)
            let ledger = try #require(app.ledger as? InMemoryLedger)
            let record = try #require(ledger.records.first)
            #expect(record.surface == .responses && record.threadId == "conv_02891c2bc271546de763dbaeef2efe6f23c6fdef3cd6c4d0")
            #expect(record.runId == "resp_205e95b867cf3d377fda19ba940b063892893caa585c7056")
            #expect(record.usage.inputTokens == 62 && record.usage.outputTokens == 45)
        }
    }

    @Test("usage is committed before the terminal event reaches the client")
    func usageCommittedBeforeTerminalEvent() async throws {
        let fixture = RecordedFixtures.assistantsRunStream
        let cut = try #require(fixture.range(of: "event: done\n"))
        let beforeDone = String(fixture[..<cut.lowerBound])
        let release = DispatchSemaphore(value: 0)
        let upstream = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(Self.streamHead + Self.chunk(beforeDone))
            _ = release.wait(timeout: .now() + 20)
            connection.write(Self.chunk("event: done\ndata: [DONE]\n\n") + "0\r\n\r\n")
        }
        try await Self.withScriptedApp(upstream) { app in
            let stream = try await openEventStream(
                port: app.port, path: "/v1/threads/thread_abc/runs",
                headers: [Self.auth, ("Content-Type", "application/json")], body: #"{"assistant_id":"asst_test","stream":true}"#)
            #expect(stream.status == 200)
            var names: [String] = []
            while let event = try await stream.nextEvent() {
                names.append(event.event ?? "message")
                if event.event == "thread.run.completed" { break }
            }
            #expect(names.last == "thread.run.completed")
            // The upstream has not finished the stream; the run is already in /stats.
            let figures = try await app.threadFigures("thread_abc")
            #expect(figures?.input == 62 && figures?.output == 49 && figures?.runs == 1)
            release.signal()
            let rest = try await stream.remainingEvents()
            #expect(rest.map(\.data) == ["[DONE]"])
            stream.close()
        }
    }

    @Test("a client leaving mid-stream: the Assistants run is cancelled upstream, then read to its end and accounted", arguments: [UpstreamConfiguration.API.assistants, .responses])
    func clientDisconnectMidStream(_ api: UpstreamConfiguration.API) async throws {
        try await withDropInApp(api, mockSettings: { $0.deltaDelay = .milliseconds(60); $0.deltaCount = 12 }) { app, mock in
            let path: String
            let body: String
            if api == .assistants {
                let thread = mock.makeThread()
                _ = try await app.request("POST", "/v1/threads/\(thread)/messages",
                                          headers: ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"],
                                          body: Data(#"{"role":"user","content":"hello"}"#.utf8))
                path = "/v1/threads/\(thread)/runs"
                body = #"{"assistant_id":"asst_test","stream":true}"#
            } else {
                path = "/v1/responses"
                body = #"{"model":"gpt-4o-mini","input":"hello","conversation":"\#(mock.makeConversation())","stream":true}"#
            }
            let stream = try await openEventStream(port: app.port, path: path, headers: [Self.auth, ("Content-Type", "application/json")], body: body)
            #expect(stream.status == 200)
            var deltas = 0
            while let event = try await stream.nextEvent(), deltas < 2 {
                if event.event == "thread.message.delta" || event.event == "response.output_text.delta" { deltas += 1 }
            }
            stream.close()
            let reported = await mock.waitForReportedRun()
            #expect(reported.runs == 1, "the run was read to its end upstream")
            let seen = try await app.waitForTotals(input: reported.inputTokens, output: reported.outputTokens)
            #expect(seen.input == reported.inputTokens && seen.output == reported.outputTokens)
            if api == .assistants {
                #expect(!mock.requests(to: .cancelRun).isEmpty, "the run was cancelled upstream")
            }
            let records = try #require(app.ledger as? InMemoryLedger).records
            #expect(records.count == 1)
        }
    }
}
