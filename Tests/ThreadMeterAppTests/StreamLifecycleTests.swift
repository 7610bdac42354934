import Foundation
import Metering
import SQLiteLedger
import Telemetry
import Testing
import TestSupport
@testable import ThreadMeterApp
import Upstream

@Suite struct StreamLifecycleTests {
    @Test func contentEventsAreFlushedAsTheyArriveNotAtTheEnd() async throws {
        // The run hangs after its first delta: the client must already see thread_info and that content.
        let upstream = ScriptedUpstream([.hang(deltas: ["first words"], usageOnAbandon: TokenUsage(inputTokens: 40, outputTokens: 2))])
        try await withTestApp(upstream: upstream) { app in
            let stream = try await openEventStream(port: app.port, path: "/v1/query",
                                                   headers: [("Content-Type", "application/json")], body: #"{"query":"q"}"#)
            #expect(stream.status == 200)
            #expect(try await stream.nextEvent()?.event == "thread_info")
            let content = try #require(try await stream.nextEvent())
            #expect(content.event == "content")
            #expect(content.data.contains("first words"))
            stream.close()
        }
    }

    @Test func clientDisconnectAbandonsTheRunAndStillRecordsItsUsage() async throws {
        let upstream = ScriptedUpstream([.hang(deltas: ["partial"], usageOnAbandon: TokenUsage(inputTokens: 40, outputTokens: 2))])
        try await withTestApp(upstream: upstream) { app in
            let stream = try await openEventStream(port: app.port, path: "/v1/query",
                                                   headers: [("Content-Type", "application/json")], body: #"{"query":"q","accountName":"Acme"}"#)
            let info = try #require(try await stream.nextEvent())
            let threadId = try #require((try JSONSerialization.jsonObject(with: Data(info.data.utf8)) as? [String: Any])?["thread_id"] as? String)
            _ = try await stream.nextEvent()
            stream.close()
            #expect(try await eventually { upstream.abandoned.load(ordering: .relaxed) == 1 }, "the run is stopped upstream")
            #expect(try await eventually {
                let thread = try await app.request("GET", "/stats/threads/\(threadId)")
                guard thread.status == 200 else { return false }
                let total = try thread.json["total_tokens"] as? Int
                return total == 42
            }, "usage reported for the abandoned run is recorded")
            let records = (app.ledger as! InMemoryLedger).records
            #expect(records.count == 1)
            #expect(records.first?.status == .cancelled)
            #expect(try await app.request("GET", "/health").status == 200)
        }
    }

    @Test func clientLeavingWhileTheRunStartsStillGetsTheRunAbandonedAndRecorded() async throws {
        let upstream = ScriptedUpstream([.hang(deltas: ["x"], usageOnAbandon: TokenUsage(inputTokens: 9, outputTokens: 1))],
                                        startDelay: .seconds(1))
        try await withTestApp(upstream: upstream) { app in
            let connection = try TestConnection(port: app.port)
            try await connection.send(TestConnection.encodeRequest(method: "POST", path: "/v1/query",
                                                                   headers: [("Content-Type", "application/json")],
                                                                   body: Array(#"{"query":"q"}"#.utf8)))
            // Closed while the upstream is still starting the run.
            #expect(await eventually { !upstream.requests.withLock { $0.isEmpty } })
            connection.close()
            #expect(try await eventually { upstream.abandoned.load(ordering: .relaxed) == 1 }, "the accepted run is not orphaned")
            #expect(try await eventually { (app.ledger as! InMemoryLedger).records.count == 1 }, "its usage is recorded")
            #expect((app.ledger as! InMemoryLedger).records.first?.usage.totalTokens == 10)
        }
    }

    @Test func keepAliveCommentsAreSentWhileTheUpstreamIsSilent() async throws {
        let upstream = ScriptedUpstream([.hang(deltas: [], usageOnAbandon: nil)])
        let timer = TestClock()
        try await withTestApp(configure: { $0.sseKeepAliveSeconds = 15 }, upstream: upstream, timerClock: timer) { app in
            let stream = try await openEventStream(port: app.port, path: "/v1/query",
                                                   headers: [("Content-Type", "application/json")], body: #"{"query":"q"}"#)
            #expect(try await stream.nextEvent()?.event == "thread_info")
            // 15 s of upstream silence on the injected clock: one keep-alive, no real waiting.
            // (Two sleepers: the service's eviction timer and this stream's keep-alive schedule.)
            await timer.waitForSleepers(2)
            timer.advance(by: .seconds(15))
            let comment = try #require(try await stream.nextEvent(includeComments: true))
            #expect(comment.isComment)
            #expect(comment.comments == ["keep-alive"])
            stream.close()
        }
    }

    @Test func theEvictionTimerEvictsIdleThreadsEveryInterval() async throws {
        let clock = ManualClock(1_000_000)
        let timer = TestClock()
        try await withTestApp(configure: { $0.threadMaxAgeSeconds = 100; $0.evictionIntervalSeconds = 60 },
                              clock: clock, timerClock: timer) { app in
            _ = try await app.query(["query": "q"])
            #expect(try await app.statistics()["total_threads"] as? Int == 1)
            clock.advance(by: 101)
            #expect(try await app.statistics()["total_threads"] as? Int == 1, "nothing evicts before the timer fires")
            await timer.waitForSleepers()
            timer.advance(by: .seconds(60))
            #expect(try await eventually { try await app.statistics()["total_threads"] as? Int == 0 })
        }
    }

    @Test func usageSurvivesARestartOnTheSameDatabase() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("usage.sqlite").path
        var threadId = ""
        var before: [String: Any] = [:]
        try await withTestApp(ledger: try SQLiteLedger(path: path, logger: .noop)) { app in
            let events = try await app.query(["query": "one", "accountName": "Acme"]).events
            threadId = try #require(events[0].data["thread_id"] as? String)
            _ = try await app.query(["query": "two", "threadId": threadId])
            _ = try await app.query(["query": "other"])
            before = try await app.statistics()
        }
        try await withTestApp(ledger: try SQLiteLedger(path: path, logger: .noop)) { app in
            let after = try await app.statistics()
            for key in ["total_threads", "total_input_tokens", "total_output_tokens", "total_tokens_across_all_threads"] {
                #expect(after[key] as? Int == before[key] as? Int, "\(key)")
            }
            let threadBefore = (before["threads"] as? [String: [String: Any]])?[threadId]
            let threadAfter = (after["threads"] as? [String: [String: Any]])?[threadId]
            #expect(threadAfter?["total_tokens"] as? Int == threadBefore?["total_tokens"] as? Int)
            #expect(threadAfter?["runs"] as? Int == 2)
            #expect(threadAfter?["account"] as? String == "Acme")
            let next = try await app.query(["query": "three", "threadId": threadId]).events
            #expect(next[0].usage("token_usage")!.2 == threadBefore?["total_tokens"] as? Int, "thread_info continues from the recorded total")
        }
    }

    @Test func shutdownLetsARunningStreamFinishAndRefusesNewQueries() async throws {
        var options = SimulatedAssistant.Options()
        options.delay = .milliseconds(30) ... .milliseconds(30)
        // A grace period far longer than the stream, so a loaded machine cannot cut it.
        try await withTestApp(configure: { $0.shutdownGraceSeconds = 20 }, upstream: SimulatedAssistant(options: options)) { app in
            let stream = try await openEventStream(port: app.port, path: "/v1/query",
                                                   headers: [("Content-Type", "application/json")], body: #"{"query":"q"}"#)
            #expect(try await stream.nextEvent()?.event == "thread_info")
            async let stopping: Void = app.service.shutdown()
            #expect(await eventually { app.service.draining.isSet }, "shutdown began while the stream runs")
            let events = try await stream.remainingEvents()
            #expect(events.last?.event == "stream_complete", "the running stream finished")
            await stopping
        }
    }
}
