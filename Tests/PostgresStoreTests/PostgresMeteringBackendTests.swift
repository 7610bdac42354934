import Foundation
import Metering
@testable import PostgresStore
import TestSupport
import Testing

@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct PostgresMeteringBackendTests {
    /// The store goes away mid-run: the run ends in a StorageError with the last known totals plus
    /// the run, its row waits in the spool across a replica restart, and is written exactly once
    /// when the store is back.
    @Test func rowWrittenDuringAnOutage_isStoredOnceWhenTheStoreReturns_evenAfterARestart() async throws {
        try await withTestPostgres { server in
            let spoolPath = NSTemporaryDirectory() + "threadmeter-spool-\(UUID().uuidString).jsonl"
            defer { try? FileManager.default.removeItem(atPath: spoolPath) }
            var backend: PostgresMeteringBackend? = PostgresMeteringBackend(
                store: try await StoreFixtures.open(server.url), spool: try RunSpool(path: spoolPath), maxAgeSeconds: 3_600,
                refreshInterval: .milliseconds(200)
            )
            _ = await backend!.beginRun(threadId: "thread_s", account: nil)
            _ = try await backend!.record(StoreFixtures.record("thread_s", run: "r1", input: 10, output: 10))
            let before = await backend!.beginRun(threadId: "thread_s", account: nil)
            #expect(before.usage.totalTokens == 20)
            try await offCooperativePool { try server.stop() }
            #expect(await eventually { !backend!.acceptsRuns })
            var failure: StorageError?
            do {
                _ = try await backend!.record(StoreFixtures.record("thread_s", run: "r2", input: 1, output: 2))
            } catch {
                failure = error as? StorageError
            }
            #expect(failure?.queuedForRetry == true)
            #expect(failure?.snapshot?.usage.totalTokens == 23)
            #expect(!backend!.isHealthy)
            // The replica restarts while the store is still down.
            backend!.close()
            backend = nil
            var reopened: RunSpool?
            #expect(await eventually {
                reopened = try? RunSpool(path: spoolPath)
                return reopened != nil
            }, "the closed replica lets go of its spool")
            let spool = try #require(reopened)
            #expect(spool.pending.map(\.runId) == ["r2"])
            try await offCooperativePool { try server.start() }
            let restarted = PostgresMeteringBackend(store: try await StoreFixtures.open(server.url), spool: spool, maxAgeSeconds: 3_600,
                                                    refreshInterval: .milliseconds(200))
            defer { restarted.close() }
            await restarted.recover()
            #expect(await eventually { restarted.isHealthy })
            #expect(spool.isEmpty)
            // Replaying again (as after a crash between commit and the done line) changes nothing.
            _ = try await restarted.store.finishRun(StoreFixtures.record("thread_s", run: "r2", input: 1, output: 2), lease: nil)
            let after = try #require(try await restarted.snapshot(threadId: "thread_s"))
            #expect(after.usage.totalTokens == 23)
            #expect(after.runs == 2)
            #expect(try await restarted.totals().totalTokens == 23)
        }
    }

    /// The drop-in surfaces' exactly-once check: a run is found by id once stored (or while spooled),
    /// and its row keeps the surface it came through.
    @Test func recordedRuns_areFoundByRunId_withTheirSurface() async throws {
        try await withTestPostgres { server in
            let spoolPath = NSTemporaryDirectory() + "threadmeter-spool-\(UUID().uuidString).jsonl"
            defer { try? FileManager.default.removeItem(atPath: spoolPath) }
            let backend = PostgresMeteringBackend(store: try await StoreFixtures.open(server.url), spool: try RunSpool(path: spoolPath),
                                                  maxAgeSeconds: 3_600, refreshInterval: .milliseconds(200))
            defer { backend.close() }
            #expect(try await !backend.hasRecorded(runId: "run_d"))
            var record = StoreFixtures.record("thread_d", run: "run_d", input: 4, output: 6)
            record.surface = .assistants
            _ = await backend.beginRun(threadId: "thread_d", account: nil)
            _ = try await backend.record(record)
            #expect(try await backend.hasRecorded(runId: "run_d"))
            let surface = try await offCooperativePool { try server.psql("SELECT surface FROM llm_calls WHERE run_id = 'run_d'") }
            #expect(surface == "assistants")
        }
    }
}
