// Each drop-in run is accounted exactly once: stream, watcher and client GETs, also across a restart.
import Foundation
import Metering
import MockUpstream
import SQLiteLedger
import TestSupport
import Testing
@testable import ThreadMeterApp

@Suite("Drop-in exactly once", .serialized)
struct DropInExactlyOnceTests {
    static let auth = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]

    @Test("a watched run read again by the client, and again after a restart on the same ledger, counts once")
    func runReadAgainAfterRestartCountsOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tm-dropin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        var settings = MockUpstreamSettings()
        settings.apiKey = "sk-upstream-secret"
        settings.backgroundRunDuration = .milliseconds(100)
        let mock = MockUpstreamServer(settings: settings)
        try mock.start()
        defer { Task { await mock.shutdown() } }
        let configure: (inout ServiceConfiguration) -> Void = {
            $0.openAIAPIKey = "sk-upstream-secret"
            $0.openAIBaseURL = mock.baseURL.absoluteString
            $0.apiKeys = [dropInClientKey]
        }
        let thread = mock.makeThread()
        var runId = ""
        let first = try SQLiteLedger(path: path, logger: .noop)
        try await withTestApp(configure: configure, ledger: first) { app in
            _ = try await app.request("POST", "/v1/threads/\(thread)/messages", headers: Self.auth, body: Data(#"{"role":"user","content":"hi"}"#.utf8))
            let created = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.auth,
                                                body: Data(#"{"assistant_id":"asst_test","metadata":{"account":"Acme"}}"#.utf8))
            #expect(created.status == 200)
            runId = try #require(try created.json["id"] as? String)
            let reported = await mock.waitForReportedRun()
            let seen = try await app.waitForTotals(input: reported.inputTokens, output: reported.outputTokens)
            #expect(seen.input == reported.inputTokens && seen.output == reported.outputTokens)
            for _ in 0..<3 {
                let again = try await app.request("GET", "/v1/threads/\(thread)/runs/\(runId)", headers: Self.auth)
                let status = try again.json["status"] as? String
                #expect(again.status == 200 && status == "completed")
            }
            #expect(try await app.threadFigures(thread)?.runs == 1)
            #expect(try await app.getJSON("/stats/threads/\(thread)")["account"] as? String == "Acme")
        }
        first.close()
        let second = try SQLiteLedger(path: path, logger: .noop)
        try await withTestApp(configure: configure, ledger: second) { app in
            let again = try await app.request("GET", "/v1/threads/\(thread)/runs/\(runId)", headers: Self.auth)
            #expect(again.status == 200)
            #expect(try await app.threadFigures(thread)?.runs == 1, "a restart does not count the run again")
            let statistics = try await app.statistics()
            #expect(statistics["total_input_tokens"] as? Int == mock.reportedUsage.inputTokens)
        }
        second.close()
    }

    @Test("concurrent client GETs of a terminal run that nobody accounted yet count it once")
    func concurrentReadsCountOnce() async throws {
        try await withDropInApp(.responses, mockSettings: { $0.backgroundRunDuration = .milliseconds(50) }) { app, mock in
            let created = try await app.request("POST", "/v1/responses", headers: Self.auth,
                                                body: Data(#"{"model":"gpt-4o-mini","input":"hi","background":true}"#.utf8))
            let id = try #require(try created.json["id"] as? String)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await app.request("GET", "/v1/responses/\(id)", headers: Self.auth).status }
                }
                for try await status in group { #expect(status == 200) }
            }
            let reported = await mock.waitForReportedRun()
            _ = try await app.waitForTotals(input: reported.inputTokens, output: reported.outputTokens)
            // The watcher's next poll finds the run claimed and ends its watch.
            let ledger = try #require(app.ledger as? InMemoryLedger)
            #expect(try await eventually { try await ledger.watchedRuns().isEmpty })
            #expect(try await app.threadFigures(id)?.runs == 1)
            let records = try #require(app.ledger as? InMemoryLedger).records
            #expect(records.filter { $0.runId == id }.count == 1)
            #expect(records.first?.surface == .responses)
        }
    }
}
