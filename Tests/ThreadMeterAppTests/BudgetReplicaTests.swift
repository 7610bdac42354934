import Foundation
import Metering
import Telemetry
import TestSupport
import Testing
@testable import ThreadMeterApp

/// Two replicas on one PostgreSQL share their budgets over HTTP (contract §9, §7): a budget set on
/// one is enforced by the other, and concurrent runs through both count exactly once.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct BudgetReplicaTests {
    /// Starts one in-process replica on `url` (simulated upstream, no delay).
    static func replica(_ url: String, _ name: String) async throws -> TestApp {
        var configuration = ServiceConfiguration()
        configuration.port = 0
        configuration.databaseURL = url
        configuration.pendingRunsPath = NSTemporaryDirectory() + "tm-\(name)-\(UUID().uuidString).pending"
        configuration.replicaName = name
        configuration.simulatedDelayMs = 0
        configuration.shutdownGraceSeconds = 2
        let logs = MemoryLogSink()
        let service = try await ThreadMeterService.make(configuration: configuration, logger: Logger(label: name, level: .info, sink: logs))
        let port = try await service.start()
        return TestApp(service: service, port: port, ledger: InMemoryLedger(), logs: logs)
    }

    @Test func aBudgetSetOnOneReplica_isEnforcedByTheOther_withExactUse() async throws {
        try await withTestDatabase { database in
            let a = try await Self.replica(database.url, "replica-a")
            let b = try await Self.replica(database.url, "replica-b")
            do {
                try await a.setBudget("account/Shared", #"{"window":"day","max_tokens":100000000}"#)
                let runTotals = try await withThrowingTaskGroup(of: Int.self) { group in
                    for i in 0..<30 {
                        let app = i.isMultiple(of: 2) ? a : b
                        group.addTask {
                            let run = try await app.streamedQuery(account: "Shared")
                            #expect(run.status == 200)
                            return run.last?.usage("run_usage")?.2 ?? -1_000_000
                        }
                    }
                    return try await group.reduce(0, +)
                }
                let ledgerSum = Int(try database.psql("SELECT sum(input_tokens + output_tokens) FROM llm_calls WHERE account = 'Shared'")
                    .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                #expect(ledgerSum == runTotals)
                for app in [a, b] {
                    #expect(try await app.budget("account/Shared")["used_tokens"] as? Int == ledgerSum)
                }
                // Lower the limit on B: A refuses the next run, before its upstream.
                try await b.setBudget("account/Shared", "{\"window\":\"day\",\"max_tokens\":\(ledgerSum)}")
                let refused = try await a.streamedQuery(account: "Shared")
                #expect(refused.status == 429)
                #expect((refused.response.errorObject?["budget"] as? [String: Any])?["used_tokens"] as? Int == ledgerSum)
                #expect(Int(refused.response.header("Retry-After") ?? "") ?? 0 > 0)
                #expect(try await b.streamedQuery(account: "Shared").status == 429)
                #expect(try await b.streamedQuery(account: "Other").status == 200)
                // Deleted on A: B admits again.
                #expect(try await a.request("DELETE", "/admin/budgets/account/Shared").status == 204)
                #expect(try await b.streamedQuery(account: "Shared").status == 200)
            } catch {
                await a.service.shutdown()
                await b.service.shutdown()
                throw error
            }
            await a.service.shutdown()
            await b.service.shutdown()
        }
    }
}
