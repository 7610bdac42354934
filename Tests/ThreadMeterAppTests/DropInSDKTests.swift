// The drop-in surfaces (contract §8) driven by the official OpenAI Python SDK, `/stats` checked
// against what the mock upstream reported.
import Foundation
import MockUpstream
import Testing
@testable import ThreadMeterApp

@Suite("Drop-in surfaces with the official OpenAI Python SDK", .serialized)
struct DropInSDKTests {
    /// `/stats` totals equal what the mock reported, after any watched runs ended (with `runs`, once
    /// the mock reported that many: a background run may end after the SDK script returns).
    private func expectStatsMatchUpstream(_ app: TestApp, _ mock: MockUpstreamServer, runs: Int? = nil) async throws {
        let reported = await mock.waitForReportedRun(atLeast: runs ?? 0)
        let seen = try await app.waitForTotals(input: reported.inputTokens, output: reported.outputTokens)
        #expect(seen.input == reported.inputTokens && seen.output == reported.outputTokens,
                "/stats \(seen) ≠ upstream reported \(reported)")
        if let runs { #expect(reported.runs == runs, "upstream reported \(reported.runs) runs") }
    }

    @Test("runs.stream with an event handler: relayed events, usage accounted on the thread with its account")
    func assistantsStreamWithEventHandler() async throws {
        try await withDropInApp(.assistants) { app, mock in
            let out = try await SDKVenv.run("assistants_stream", app: app)
            let thread = try #require(out["thread_id"] as? String)
            let usage = try #require(out["usage"] as? [String: Int])
            try await expectStatsMatchUpstream(app, mock, runs: 1)
            let figures = try #require(try await app.threadFigures(thread))
            #expect(figures.input == usage["input"] && figures.output == usage["output"] && figures.runs == 1)
            let stats = try await app.getJSON("/stats/threads/\(thread)")
            #expect(stats["account"] as? String == "Acme")
            // ThreadMeter's own key went upstream, never the client's.
            for request in mock.requests {
                #expect(request.headers["authorization"] == "Bearer sk-upstream-secret")
            }
        }
    }

    @Test("responses.stream: the text and the final response as the upstream sent them, usage on the conversation")
    func responsesStream() async throws {
        try await withDropInApp(.responses) { app, mock in
            let out = try await SDKVenv.run("responses_stream", app: app)
            let conversation = try #require(out["thread_id"] as? String)
            let usage = try #require(out["usage"] as? [String: Int])
            try await expectStatsMatchUpstream(app, mock, runs: 1)
            let figures = try #require(try await app.threadFigures(conversation))
            #expect(figures.input == usage["input"] && figures.output == usage["output"] && figures.runs == 1)
        }
    }

    @Test("non-streamed runs: create_and_poll, retrieve again (counted once), messages, and a run nobody polls (watched)")
    func assistantsNonStreamedAndWatched() async throws {
        try await withDropInApp(.assistants) { app, mock in
            let out = try await SDKVenv.run("assistants_poll", app: app)
            let thread = try #require(out["thread_id"] as? String)
            // The unpolled run ends upstream by itself; the service's watcher reads and accounts it.
            try await expectStatsMatchUpstream(app, mock, runs: 2)
            let figures = try #require(try await app.threadFigures(thread))
            #expect(figures.runs == 2)
            #expect(mock.reportedUsage.inputTokens == figures.input && mock.reportedUsage.outputTokens == figures.output)
        }
    }

    @Test("create-and-run, polled and streamed: the thread id comes from the run and from thread.created")
    func createAndRun() async throws {
        try await withDropInApp(.assistants) { app, mock in
            let out = try await SDKVenv.run("create_and_run", app: app)
            try await expectStatsMatchUpstream(app, mock, runs: 2)
            for key in ["polled", "streamed"] {
                let part = try #require(out[key] as? [String: Any])
                let thread = try #require(part["thread_id"] as? String)
                let usage = try #require(part["usage"] as? [String: Int])
                let figures = try #require(try await app.threadFigures(thread), "\(key) thread not tracked")
                #expect(figures.input == usage["input"] && figures.output == usage["output"] && figures.runs == 1)
            }
        }
    }

    @Test("cancel: the cancelled run's reported usage is accounted once")
    func cancelRun() async throws {
        try await withDropInApp(.assistants, mockSettings: { $0.backgroundRunDuration = .seconds(5) }) { app, mock in
            let out = try await SDKVenv.run("cancel", app: app)
            let thread = try #require(out["thread_id"] as? String)
            try await expectStatsMatchUpstream(app, mock, runs: 1)
            let figures = try #require(try await app.threadFigures(thread))
            #expect(figures.runs == 1 && figures.output == 0 && figures.input > 0)
        }
    }

    @Test("errors map to the SDK's exception types: 401, 404, 400, 429 with Retry-After, x-request-id, x-ratelimit-*")
    func errorsMapToSDKExceptions() async throws {
        try await withDropInApp(.assistants) { app, mock in
            mock.setFault(.status(429, retryAfter: "7"), for: .createRun)
            let out = try await SDKVenv.run("errors", ["wrong-key"], app: app)
            #expect(out["401"] as? Int == 401)
            #expect(out["404"] as? Int == 404)
            #expect(out["400"] as? Int == 400)
            #expect(out["429"] as? Int == 429)
            #expect(out["retry_after"] as? String == "7")
            #expect((out["request_id"] as? String)?.hasPrefix("req_mock") == true)
            #expect(out["ratelimit"] as? String == "10000")
            // The malformed id never reached the upstream.
            #expect(!mock.requests.contains { $0.path.contains("bad") })
        }
    }

    @Test("Responses without streaming: foreground, without a conversation (own id), background (watched)")
    func responsesNonStreamed() async throws {
        try await withDropInApp(.responses) { app, mock in
            let out = try await SDKVenv.run("responses_nonstream", app: app)
            try await expectStatsMatchUpstream(app, mock, runs: 3)
            let conversation = try #require(out["conversation"] as? String)
            let alone = try #require((out["alone"] as? [String: Any])?["run_id"] as? String)
            #expect(try await app.threadFigures(conversation)?.runs == 2)
            #expect(try await app.threadFigures(alone)?.runs == 1)
        }
    }

    @Test("a thread started through /v1/query continues through the SDK, and the reverse")
    func queryAndSDKShareThreads() async throws {
        try await withDropInApp(.assistants) { app, mock in
            let auth = ["Authorization": "Bearer \(dropInClientKey)"]
            let first = try await app.query(["query": "Start here", "stream": false], headers: auth)
            #expect(first.status == 200, "\(first.text)")
            let thread = try #require(try first.json["thread_id"] as? String)
            _ = try await SDKVenv.run("assistants_stream", [thread], app: app)
            #expect(try await app.threadFigures(thread)?.runs == 2)

            let out = try await SDKVenv.run("assistants_stream", app: app)
            let sdkThread = try #require(out["thread_id"] as? String)
            let next = try await app.query(["query": "Continue", "threadId": sdkThread, "stream": false], headers: auth)
            #expect(next.status == 200, "\(next.text)")
            #expect(try next.json["new_thread"] as? Bool == false)
            #expect(try await app.threadFigures(sdkThread)?.runs == 2)
            try await expectStatsMatchUpstream(app, mock, runs: 4)
        }
    }
}
