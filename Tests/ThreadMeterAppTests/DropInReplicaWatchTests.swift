// Two PostgreSQL replicas watching the same drop-in run (one live, one resumed at its start) count it once.
import Foundation
import Metering
import MockUpstream
import Telemetry
import TestSupport
import Testing
@testable import ThreadMeterApp

@Suite("Drop-in watches across replicas", .serialized, .enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct DropInReplicaWatchTests {
    static let auth = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]

    static func replica(_ url: String, _ name: String, mock: MockUpstreamServer) async throws -> TestApp {
        var configuration = ServiceConfiguration()
        configuration.port = 0
        configuration.databaseURL = url
        configuration.pendingRunsPath = NSTemporaryDirectory() + "tm-\(name)-\(UUID().uuidString).pending"
        configuration.replicaName = name
        configuration.shutdownGraceSeconds = 2
        configuration.openAIAPIKey = "sk-upstream-secret"
        configuration.openAIBaseURL = mock.baseURL.absoluteString
        configuration.assistantId = "asst_test"
        configuration.apiKeys = [dropInClientKey]
        let logs = MemoryLogSink()
        let service = try await ThreadMeterService.make(configuration: configuration, logger: Logger(label: name, level: .info, sink: logs))
        let port = try await service.start()
        return TestApp(service: service, port: port, ledger: InMemoryLedger(), logs: logs)
    }

    static func number(_ database: TestDatabase, _ sql: String) throws -> Int {
        Int(try database.psql(sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test("a watch resumed by a second replica while the first still follows it counts the run once")
    func resumedOnTwoReplicasCountsOnce() async throws {
        var settings = MockUpstreamSettings()
        settings.apiKey = "sk-upstream-secret"
        settings.backgroundRunDuration = .seconds(3)
        let mock = MockUpstreamServer(settings: settings)
        try mock.start()
        try await withTestDatabase { database in
            let a = try await Self.replica(database.url, "replica-a", mock: mock)
            let thread = mock.makeThread()
            let created = try await a.request("POST", "/v1/threads/\(thread)/runs", headers: Self.auth,
                                              body: Data(#"{"assistant_id":"asst_test","metadata":{"account":"Acme"}}"#.utf8))
            #expect(created.status == 200)
            let runId = try #require(try created.json["id"] as? String)
            #expect(try Self.number(database, "SELECT count(*) FROM watched_runs WHERE run_id = '\(runId)'") == 1)
            let b = try await Self.replica(database.url, "replica-b", mock: mock)
            #expect(b.logs.records.contains { $0.message == "resuming a watched run" }, "B resumed A's live watch")
            #expect(mock.reportedUsage.runs == 0, "B started before the run ended")
            #expect(try await eventually { try Self.number(database, "SELECT count(*) FROM watched_runs") == 0 })
            let reported = mock.reportedUsage
            #expect(reported.runs == 1 && reported.inputTokens > 0)
            #expect(try Self.number(database, "SELECT count(*) FROM llm_calls WHERE run_id = '\(runId)'") == 1)
            for app in [a, b] {
                let figures = try await app.threadFigures(thread)
                #expect(figures?.runs == 1 && figures?.input == reported.inputTokens && figures?.output == reported.outputTokens)
            }
            await a.service.shutdown()
            await b.service.shutdown()
        }
        await mock.shutdown()
    }
}
