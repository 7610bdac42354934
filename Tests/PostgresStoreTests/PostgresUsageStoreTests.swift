import Foundation
import Metering
@testable import PostgresStore
import Telemetry
import TestSupport
import Testing

@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct PostgresUsageStoreTests {
    /// Two stores on one database stand for two replicas: 200 runs over 5 threads, finished
    /// concurrently through both, add up exactly in each thread, in the global totals and on both.
    @Test func concurrentRunsThroughTwoReplicas_countExactlyOnce() async throws {
        try await withTestDatabase { database in
            let a = try await StoreFixtures.open(database.url)
            let b = try await StoreFixtures.open(database.url)
            defer { a.close(); b.close() }
            let runs = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<runs {
                    let store = i.isMultiple(of: 2) ? a : b
                    group.addTask {
                        let thread = "thread_\(i % 5)"
                        let (lease, _) = try await store.beginRun(threadId: thread, account: "Acme")
                        _ = try await store.finishRun(StoreFixtures.record(thread, run: "run_\(i)", input: i, output: 1), lease: lease)
                    }
                }
                try await group.waitForAll()
            }
            for t in 0..<5 {
                let expectedInput = (0..<runs).filter { $0 % 5 == t }.reduce(0, +)
                for store in [a, b] {
                    let snapshot = try #require(try await store.snapshot(threadId: "thread_\(t)"))
                    #expect(snapshot.usage == TokenUsage(inputTokens: expectedInput, outputTokens: runs / 5))
                    #expect(snapshot.runs == runs / 5)
                }
            }
            let totals = try await b.totals()
            #expect(totals.threads == 5)
            #expect(totals.inputTokens == (0..<runs).reduce(0, +))
            #expect(totals.outputTokens == runs)
            let top = try await a.top(limit: 2)
            #expect(top.map(\.threadId) == ["thread_4", "thread_3"])
        }
    }

    /// The same run written twice (a retry after a lost answer) is stored and counted once.
    @Test func retriedWrite_isNotCountedTwice() async throws {
        try await withTestDatabase { database in
            let store = try await StoreFixtures.open(database.url)
            defer { store.close() }
            let (lease, before) = try await store.beginRun(threadId: "thread_r", account: nil)
            #expect(before.usage == .zero)
            let record = StoreFixtures.record("thread_r", run: "run_once", input: 10, output: 5)
            let first = try await store.finishRun(record, lease: lease)
            let second = try await store.finishRun(record, lease: lease)
            #expect(first.recorded)
            #expect(!second.recorded)
            #expect(first.after.usage == TokenUsage(inputTokens: 10, outputTokens: 5))
            #expect(second.after == first.after)
            let totals = try await store.totals()
            #expect(totals.totalTokens == 15)
            #expect(totals.threads == 1)
            let history = try await store.usageHistory(since: nil, until: nil, groupBy: .account)
            #expect(history.map(\.runs) == [1])
        }
    }

    /// A failed run without usage gets its ledger row but adds no run; one with usage counts.
    @Test func failedRunWithoutUsage_hasARowButIsNotARun() async throws {
        try await withTestDatabase { database in
            let store = try await StoreFixtures.open(database.url)
            defer { store.close() }
            let (l1, _) = try await store.beginRun(threadId: "thread_f", account: nil)
            _ = try await store.finishRun(StoreFixtures.record("thread_f", run: "r1", input: 0, output: 0, status: .failed), lease: l1)
            let (l2, _) = try await store.beginRun(threadId: "thread_f", account: nil)
            let after = try await store.finishRun(StoreFixtures.record("thread_f", run: "r2", input: 3, output: 0, status: .failed, cost: nil), lease: l2).after
            #expect(after.runs == 1)
            #expect(after.usage == TokenUsage(inputTokens: 3, outputTokens: 0))
            #expect(after.costUSD == nil)
            let history = try await store.usageHistory(since: nil, until: nil, groupBy: .model)
            #expect(history.first?.runs == 2)
            #expect(history.first?.unpricedRuns == 1)
        }
    }

    /// Eviction runs on the database's clock, skips a thread whose run is in flight on another
    /// replica, and takes it once that replica's lease lapses (the replica "died": no renewal).
    @Test func eviction_skipsLeasedThreads_untilTheLeaseLapses() async throws {
        try await withTestDatabase { database in
            let dying = try await StoreFixtures.open(database.url) { $0.leaseSeconds = 3; $0.leaseRenewInterval = .seconds(3_600) }
            let survivor = try await StoreFixtures.open(database.url)
            defer { dying.close(); survivor.close() }
            let (idleLease, _) = try await survivor.beginRun(threadId: "thread_idle", account: nil)
            _ = try await survivor.finishRun(StoreFixtures.record("thread_idle", run: "r1", input: 4, output: 4), lease: idleLease)
            _ = try await dying.beginRun(threadId: "thread_busy", account: nil) // never finished
            try await Task.sleep(for: .milliseconds(600))
            let first = try await survivor.evictIdle(maxAgeSeconds: 0.5)
            #expect(first == ["thread_idle"])
            #expect(try await survivor.snapshot(threadId: "thread_idle") == nil)
            #expect(try await dying.snapshot(threadId: "thread_busy") != nil)
            // Taken once the 3 s lease lapses (on the database's clock), however long the wait here.
            #expect(try await eventually { try await survivor.evictIdle(maxAgeSeconds: 0.5) == ["thread_busy"] })
            let totals = try await dying.totals()
            #expect(totals.threads == 0)
            #expect(totals.totalTokens == 0)
        }
    }

    /// Leases are renewed while a run lasts longer than the lease itself.
    @Test func renewedLease_keepsALongRunsThreadFromEviction() async throws {
        try await withTestDatabase { database in
            let store = try await StoreFixtures.open(database.url) { $0.leaseSeconds = 2; $0.leaseRenewInterval = .milliseconds(200) }
            defer { store.close() }
            let (lease, _) = try await store.beginRun(threadId: "thread_long", account: nil)
            // Longer than the lease: only renewals (every 200 ms) keep it; a loaded machine has 1.8 s of slack.
            try await Task.sleep(for: .milliseconds(2_500))
            #expect(try await store.evictIdle(maxAgeSeconds: 0.5).isEmpty)
            _ = try await store.finishRun(StoreFixtures.record("thread_long", run: "r", input: 1, output: 1), lease: lease)
            #expect(try await eventually { try await store.evictIdle(maxAgeSeconds: 0.5) == ["thread_long"] })
        }
    }

    /// Two replicas sweeping at once evict each thread exactly once, and the totals end at zero.
    @Test func concurrentEvictionOnTwoReplicas_evictsEachThreadOnce() async throws {
        try await withTestDatabase { database in
            let a = try await StoreFixtures.open(database.url) { $0.evictionBatch = 7 }
            let b = try await StoreFixtures.open(database.url) { $0.evictionBatch = 7 }
            defer { a.close(); b.close() }
            for i in 0..<40 {
                let (lease, _) = try await a.beginRun(threadId: "t\(i)", account: nil)
                _ = try await a.finishRun(StoreFixtures.record("t\(i)", run: "r\(i)", input: 2, output: 3), lease: lease)
            }
            try await Task.sleep(for: .milliseconds(300))
            var evicted: [String] = []
            while true {
                async let fromA = a.evictIdle(maxAgeSeconds: 0.2)
                async let fromB = b.evictIdle(maxAgeSeconds: 0.2)
                let round = try await fromA + fromB
                evicted += round
                if try await a.totals().threads == 0 { break }
            }
            #expect(evicted.count == 40)
            #expect(Set(evicted).count == 40)
            let totals = try await b.totals()
            #expect(totals == UsageTotals(threads: 0, inputTokens: 0, outputTokens: 0, costUSD: totals.costUSD))
            #expect(abs(totals.costUSD) < 1e-9)
        }
    }

    /// Replicas starting together: one migrates, the others wait and find the schema current.
    @Test func concurrentMigrators_serialiseOnTheAdvisoryLock() async throws {
        try await withTestDatabase { database in
            let url = try PostgresURL(database.url)
            var options = PostgresPool.Options()
            options.size = 1
            let pools = (0..<4).map { _ in PostgresPool(url: url, options: options) }
            defer { for pool in pools { pool.close() } }
            let found = try await withThrowingTaskGroup(of: Int.self) { group in
                for pool in pools {
                    group.addTask {
                        try await pool.waitUntilConnected(timeout: .seconds(10))
                        return try await PostgresSchema.migrate(pool)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let current = PostgresSchema.currentVersion
            #expect(found.sorted() == [0, current, current, current])
            let versions = try await offCooperativePool { try database.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM threadmeter_schema") }
            #expect(versions == (1...current).map(String.init).joined(separator: ","))
        }
    }

    /// A database migrated by a newer build is refused with a clear error, and nothing is changed.
    @Test func newerSchema_isRefused() async throws {
        try await withTestDatabase { database in
            let store = try await StoreFixtures.open(database.url)
            store.close()
            _ = try await offCooperativePool { try database.psql("INSERT INTO threadmeter_schema (version) VALUES (99)") }
            let error = await postgresFailure { _ = try await StoreFixtures.open(database.url) }
            #expect(error?.kind == .schemaTooNew)
            #expect(error?.message.contains("99") == true)
        }
    }

    /// An unreachable database at startup: retried until the timeout, then one clear error.
    @Test func unreachableAtStartup_failsAfterTheConnectTimeout() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await postgresFailure {
            _ = try await PostgresUsageStore.open(url: try PostgresURL("postgres://u@127.0.0.1:9/db"), connectTimeout: .seconds(1))
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.message.contains("127.0.0.1") == true)
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(5))
    }

    /// The server stopped: unhealthy within 5 s and queries fail fast; started again: healthy
    /// within 10 s, writes work, and nothing was lost.
    @Test func outage_isDetected_andTheStoreRecoversByItself() async throws {
        try await withTestPostgres { server in
            let store = try await StoreFixtures.open(server.url)
            defer { store.close() }
            let (lease, _) = try await store.beginRun(threadId: "thread_o", account: nil)
            _ = try await store.finishRun(StoreFixtures.record("thread_o", run: "before", input: 5, output: 5), lease: lease)
            #expect(store.isHealthy)
            try await offCooperativePool { try server.stop() }
            #expect(await eventually { !store.isHealthy })
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: PostgresError.self) { _ = try await store.beginRun(threadId: "thread_o", account: nil) }
            #expect(clock.now - start < .seconds(3), "a query while down fails fast")
            try await offCooperativePool { try server.start() }
            #expect(await eventually { store.isHealthy })
            let (again, before) = try await store.beginRun(threadId: "thread_o", account: nil)
            #expect(before.usage.totalTokens == 10)
            let after = try await store.finishRun(StoreFixtures.record("thread_o", run: "after", input: 1, output: 1), lease: again).after
            #expect(after.usage.totalTokens == 12)
            #expect(after.runs == 2)
        }
    }

    /// An import from another ledger, then a rebuild: each thread's runs since its last eviction.
    @Test func importAndRebuild_reproduceTheLedgersThreadTotals() async throws {
        try await withTestDatabase { database in
            let store = try await StoreFixtures.open(database.url)
            defer { store.close() }
            var records: [RunRecord] = []
            for i in 0..<10 {
                var r = StoreFixtures.record("thread_\(i % 2)", run: "imp_\(i)", input: 10 + i, output: 1)
                r.recordedAt = 1_000 + Double(i)
                records.append(r)
            }
            try await store.importRuns(records)
            try await store.importRuns(records) // again: nothing doubles
            try await store.importEvictions([(threadId: "thread_0", at: 1_005)])
            try await store.rebuildTotals()
            let t0 = try #require(try await store.snapshot(threadId: "thread_0"))
            #expect(t0.runs == 2) // imp_6 and imp_8, recorded after the eviction at 1005
            #expect(t0.usage.inputTokens == 16 + 18)
            let t1 = try #require(try await store.snapshot(threadId: "thread_1"))
            #expect(t1.runs == 5)
            #expect(t1.usage.inputTokens == 11 + 13 + 15 + 17 + 19)
            #expect(t1.lastActivity == 1_009)
            let totals = try await store.totals()
            #expect(totals.threads == 2)
            #expect(totals.inputTokens == 34 + 75)
        }
    }
}
