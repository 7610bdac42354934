// `: keep-alive` comments on relayed drop-in streams while the upstream is silent (§8 allows `:` lines).
import Foundation
import MockUpstream
import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite("Drop-in keep-alive", .serialized)
struct DropInKeepAliveTests {
    static let headers = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]
    static let comment = ": keep-alive\n\n"

    @Test("a silent upstream stream gets keep-alive comments between whole events; the events are relayed unchanged and accounted once",
          arguments: [UpstreamConfiguration.API.assistants, .responses])
    func silenceGetsComments(_ api: UpstreamConfiguration.API) async throws {
        try await withDropInApp(api, mockSettings: {
            $0.deltaCount = 4
            $0.deltaDelay = .milliseconds(200)
        }, service: { $0.sseKeepAliveSeconds = 0.03 }) { app, mock in
            let thread = api == .assistants ? mock.makeThread() : nil
            let path = thread.map { "/v1/threads/\($0)/runs" } ?? "/v1/responses"
            let body = api == .assistants ? #"{"assistant_id":"asst_test","stream":true}"# : #"{"model":"gpt-4o-mini","input":"hi","stream":true}"#
            let response = try await app.request("POST", path, headers: Self.headers, body: Data(body.utf8))
            #expect(response.status == 200)
            let text = response.text
            let comments = text.components(separatedBy: Self.comment).count - 1
            // Four silences of 200 ms with a 30 ms interval: several comments, at least one on a loaded machine.
            #expect(comments >= 1, "the upstream was silent 200 ms before each delta, the interval is 30 ms")
            // Only at event boundaries: every comment starts the body or follows a blank line.
            var rest = Substring(text)
            while let range = rest.range(of: Self.comment) {
                let before = text[text.startIndex..<range.lowerBound]
                #expect(before.isEmpty || before.hasSuffix("\n\n"))
                rest = rest[range.upperBound...]
            }
            let events = text.replacingOccurrences(of: Self.comment, with: "")
            #expect(!events.contains(": keep-alive"))
            // The Assistants stream ends with `[DONE]`, the Responses stream with `response.completed`.
            let last = events.components(separatedBy: "\n\n").last { !$0.isEmpty }
            #expect(api == .assistants ? last?.hasSuffix("data: [DONE]") == true : last?.hasPrefix("event: response.completed\n") == true)
            let deltaName = api == .assistants ? "event: thread.message.delta\n" : "event: response.output_text.delta\n"
            #expect(events.components(separatedBy: deltaName).count - 1 == 4)
            let reported = mock.reportedUsage
            let threadId = try #require(thread ?? Self.responseId(events))
            let figures = try await app.threadFigures(threadId)
            #expect(figures?.runs == 1 && figures?.input == reported.inputTokens && figures?.output == reported.outputTokens)
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
