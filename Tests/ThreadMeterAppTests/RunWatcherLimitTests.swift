// RunWatcher's time limit: a run past giveUpAfter is given up (warning, record removed); a watch
// resumed after a long stop still polls once and accounts a run that ended meanwhile.
import Foundation
import Metering
import MockUpstream
import Telemetry
import TestSupport
import Testing
import Tracing
@testable import ThreadMeterApp
import Upstream

@Suite("Run watcher limits", .serialized)
struct RunWatcherLimitTests {
    static func watcher(_ app: TestApp, _ mock: MockUpstreamServer, giveUpAfter: Duration, logs: MemoryLogSink) -> RunWatcher {
        let upstream = DropInUpstream(configuration: UpstreamConfiguration(apiKey: "sk-upstream-secret", baseURL: mock.baseURL), logger: .noop)
        let accounting = DropInAccounting(settler: RunSettler(meter: app.service.meter, logger: .noop),
                                          reporter: RunReporter(metrics: app.service.metrics, usageEvents: nil, tracer: nil, logger: .noop),
                                          claims: RunClaims(meter: app.service.meter))
        let schedule = RunWatcher.Schedule(firstDelay: .milliseconds(20), maxDelay: .milliseconds(20), giveUpAfter: giveUpAfter)
        return RunWatcher(upstream: upstream, accounting: accounting, store: app.service.meter.store, schedule: schedule,
                          logger: Logger(label: "watch", level: .debug, sink: logs))
    }

    static func run(startedAt: Double) -> DropInRun {
        DropInRun(surface: .assistants, account: nil, streaming: false, requestId: "req_test", startedAt: startedAt, trace: SpanContext.child(of: nil))
    }

    @Test("a run still going after giveUpAfter is given up with a warning, unaccounted, and its record removed")
    func givesUp() async throws {
        try await withDropInApp(mockSettings: { $0.backgroundRunDuration = .seconds(3600) }) { app, mock in
            let thread = mock.makeThread()
            let created = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: DropInDurableWatchTests.auth,
                                                body: Data(#"{"assistant_id":"asst_test"}"#.utf8))
            let runId = try #require(try created.json["id"] as? String)
            let ledger = try #require(app.ledger as? InMemoryLedger)
            #expect(try await ledger.watchedRuns().map(\.runId) == [runId], "the service recorded its watch")
            let logs = MemoryLogSink()
            let watcher = Self.watcher(app, mock, giveUpAfter: .milliseconds(200), logs: logs)
            await watcher.accounting.begin(threadId: thread, account: nil)
            await watcher.follow(runId: runId, threadId: thread, surface: .assistants, run: Self.run(startedAt: Date().timeIntervalSince1970),
                                 cancelFirst: false)
            #expect(logs.records.contains { $0.level == .warning && $0.message.contains("given up") })
            #expect(try await ledger.watchedRuns().isEmpty)
            #expect(ledger.records.isEmpty, "nothing accounted")
        }
    }

    @Test("a watch resumed long after its run started polls once and accounts a run that ended meanwhile")
    func resumedLateStillPollsOnce() async throws {
        try await withDropInApp(mockSettings: { $0.backgroundRunDuration = .milliseconds(20) }) { app, mock in
            let thread = mock.makeThread()
            // Created upstream directly: the service never saw it.
            let upstream = DropInUpstream(configuration: UpstreamConfiguration(apiKey: "sk-upstream-secret", baseURL: mock.baseURL), logger: .noop)
            let created = try await upstream.send(method: "POST", path: ["threads", thread, "runs"], query: nil,
                                                  headers: [("Content-Type", "application/json")],
                                                  body: Array(#"{"assistant_id":"asst_test"}"#.utf8), surface: .assistants)
            let object = try JSONSerialization.jsonObject(with: Data(try await created.collect(limit: 1 << 20))) as? [String: Any]
            let runId = try #require(object?["id"] as? String)
            // The run ends upstream on its own (the mock's background duration) before the watch starts.
            #expect(try await eventually {
                let read = try await upstream.send(method: "GET", path: ["threads", thread, "runs", runId], query: nil, headers: [],
                                                   body: nil, surface: .assistants)
                let run = try JSONSerialization.jsonObject(with: Data(try await read.collect(limit: 1 << 20))) as? [String: Any]
                return run?["status"] as? String == "completed"
            })
            let logs = MemoryLogSink()
            let watcher = Self.watcher(app, mock, giveUpAfter: .seconds(60), logs: logs)
            await watcher.accounting.begin(threadId: thread, account: nil)
            await watcher.follow(runId: runId, threadId: thread, surface: .assistants,
                                 run: Self.run(startedAt: Date().timeIntervalSince1970 - 7200), cancelFirst: false)
            let reported = mock.reportedUsage
            let figures = try await app.threadFigures(thread)
            #expect(reported.runs == 1 && figures?.runs == 1 && figures?.input == reported.inputTokens)
        }
    }
}
