// Watched drop-in runs survive a stop or a crash: the next start resumes them and accounts each once.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Metering
import MockUpstream
import SQLiteLedger
import TestSupport
import Testing
@testable import ThreadMeterApp

@Suite("Drop-in durable watches", .serialized)
struct DropInDurableWatchTests {
    static let auth = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]
    static let createBody = Data(#"{"assistant_id":"asst_test","metadata":{"account":"Acme"}}"#.utf8)

    /// A mock whose non-streamed runs end `duration` after their creation (long enough for the first
    /// service to stop before, on a loaded machine), and a ledger path in a fresh directory.
    static func fixture(duration: Duration) throws -> (MockUpstreamServer, String, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tm-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var settings = MockUpstreamSettings()
        settings.apiKey = "sk-upstream-secret"
        settings.backgroundRunDuration = duration
        let mock = MockUpstreamServer(settings: settings)
        try mock.start()
        return (mock, directory.appendingPathComponent("ledger.sqlite").path, directory)
    }

    static func configure(_ mock: MockUpstreamServer) -> (inout ServiceConfiguration) -> Void {
        {
            $0.openAIAPIKey = "sk-upstream-secret"
            $0.openAIBaseURL = mock.baseURL.absoluteString
            $0.apiKeys = [dropInClientKey]
        }
    }

    /// Starts a service on the ledger at `path` and waits until the mock reported `runs` runs and
    /// `/stats` shows their usage; checks the thread's figures and that no watch is left.
    static func restartAndExpectAccounted(_ mock: MockUpstreamServer, path: String, thread: String, runId: String) async throws {
        let ledger = try SQLiteLedger(path: path, logger: .noop)
        defer { ledger.close() }
        #expect(try await ledger.watchedRuns().map(\.runId) == [runId], "the watch was recorded and is still there")
        #expect(try await ledger.containsRun(runId: runId) == false, "the run was not accounted before the restart")
        try await withTestApp(configure: configure(mock), ledger: ledger) { app in
            let reported = await mock.waitForReportedRun()
            #expect(reported.runs == 1)
            let seen = try await app.waitForTotals(input: reported.inputTokens, output: reported.outputTokens)
            #expect(seen.input == reported.inputTokens && seen.output == reported.outputTokens && reported.inputTokens > 0)
            #expect(try await app.threadFigures(thread)?.runs == 1)
            #expect(try await app.getJSON("/stats/threads/\(thread)")["account"] as? String == "Acme")
            #expect(try await eventually { try await ledger.watchedRuns().isEmpty })
            #expect(app.logs.records.contains { $0.message == "resuming a watched run" })
        }
        #expect(try await ledger.watchedRuns().isEmpty)
    }

    /// A third start on the same file counts nothing again.
    static func restartAndExpectNothingNew(_ mock: MockUpstreamServer, path: String, thread: String) async throws {
        let ledger = try SQLiteLedger(path: path, logger: .noop)
        defer { ledger.close() }
        #expect(try await ledger.watchedRuns().isEmpty, "nothing left to resume")
        try await withTestApp(configure: configure(mock), ledger: ledger) { app in
            #expect(app.logs.records.contains { $0.metadata.contains { $0.0 == "watched_runs_resumed" && $0.1 == "0" } })
            #expect(try await app.threadFigures(thread)?.runs == 1, "a second restart does not count the run again")
            let statistics = try await app.statistics()
            #expect(statistics["total_input_tokens"] as? Int == mock.reportedUsage.inputTokens)
            #expect(statistics["total_output_tokens"] as? Int == mock.reportedUsage.outputTokens)
        }
    }

    @Test("a run watched when the service stops is resumed at the next start and accounted once")
    func gracefulStopResumes() async throws {
        let (mock, path, directory) = try Self.fixture(duration: .seconds(6))
        defer { try? FileManager.default.removeItem(at: directory) }
        let thread = mock.makeThread()
        var runId = ""
        let first = try SQLiteLedger(path: path, logger: .noop)
        try await withTestApp(configure: Self.configure(mock), ledger: first) { app in
            let created = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.auth, body: Self.createBody)
            #expect(created.status == 200)
            runId = try #require(try created.json["id"] as? String)
            #expect(try created.json["status"] as? String != "completed")
            #expect(try await first.watchedRuns().first?.account == "Acme", "recorded before the client was answered")
        }
        #expect(mock.reportedUsage.runs == 0, "the run was still going when the service stopped")
        first.close()
        try await Self.restartAndExpectAccounted(mock, path: path, thread: thread, runId: runId)
        try await Self.restartAndExpectNothingNew(mock, path: path, thread: thread)
        await mock.shutdown()
    }

    @Test("a run watched when the service is killed (SIGKILL) is resumed at the next start and accounted once")
    func crashResumes() async throws {
        let (mock, path, directory) = try Self.fixture(duration: .seconds(6))
        defer { try? FileManager.default.removeItem(at: directory) }
        let thread = mock.makeThread()
        let environment = ["OPENAI_API_KEY": "sk-upstream-secret", "ASSISTANT_ID": "asst_test", "OPENAI_BASE_URL": mock.baseURL.absoluteString, "API_KEYS": dropInClientKey]
        let child = try await offCooperativePool { try CrashRecoveryTests.Child(database: path, extraEnvironment: environment) }
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(child.port)/v1/threads/\(thread)/runs")!)
        request.httpMethod = "POST"
        for (name, value) in Self.auth { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = Self.createBody
        let (data, response) = try await testSession.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let runId = try #require(object?["id"] as? String)
        try await child.kill9()
        #expect(mock.reportedUsage.runs == 0, "the run was still going when the service was killed")
        try await Self.restartAndExpectAccounted(mock, path: path, thread: thread, runId: runId)
        try await Self.restartAndExpectNothingNew(mock, path: path, thread: thread)
        await mock.shutdown()
    }

    @Test("a recorded watch whose run is already in the ledger is removed without counting it again")
    func resumedWatchOfAnAccountedRunCountsNothing() async throws {
        let (mock, path, directory) = try Self.fixture(duration: .milliseconds(50))
        defer { try? FileManager.default.removeItem(at: directory) }
        let thread = mock.makeThread()
        let ledger = try SQLiteLedger(path: path, logger: .noop)
        defer { ledger.close() }
        try await withTestApp(configure: Self.configure(mock), ledger: ledger) { app in
            let created = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.auth, body: Self.createBody)
            let runId = try #require(try created.json["id"] as? String)
            #expect(try await eventually { try await app.threadFigures(thread)?.runs == 1 })
            #expect(try await eventually { try await ledger.watchedRuns().isEmpty })
            // A crash between the ledger row and the watch's removal leaves both.
            try await ledger.addWatch(WatchedRun(runId: runId, threadId: thread, surface: .assistants, account: "Acme", streaming: false,
                                                 requestId: "r", startedAt: Date().timeIntervalSince1970, cancelFirst: false))
        }
        try await withTestApp(configure: Self.configure(mock), ledger: ledger) { app in
            #expect(try await eventually { try await ledger.watchedRuns().isEmpty })
            let runs = try await app.threadFigures(thread)?.runs
            let input = try await app.statistics()["total_input_tokens"] as? Int
            #expect(runs == 1 && input == mock.reportedUsage.inputTokens)
        }
        await mock.shutdown()
    }
}
