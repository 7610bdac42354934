import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing
import TestSupport

/// Two real `threadmeter` processes on one throwaway PostgreSQL (contract §7): any replica serves any
/// thread with the cluster's numbers, a replica killed mid-load loses nothing acknowledged, the
/// database going away and coming back is survived, eviction happens once for the cluster.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct ReplicaClusterTests {
    typealias Child = CrashRecoveryTests.Child

    /// One replica on `server`, its pending-runs file in `directory`.
    static func replica(_ url: String, _ directory: String, _ name: String, _ extra: [String: String] = [:]) async throws -> Child {
        var environment = ["DATABASE_URL": url, "PENDING_RUNS_PATH": "\(directory)/\(name).pending", "REPLICA_NAME": name]
        environment.merge(extra) { $1 }
        let env = environment
        return try await offCooperativePool { try Child(database: "\(directory)/\(name)-unused.sqlite", extraEnvironment: env) }
    }

    /// Starts one replica per (name, settings) on `url`, their pending-runs files in a temporary
    /// directory, runs `body`, then stops them (SIGTERM) and removes the directory.
    static func withReplicas(_ url: String, _ specs: [(String, [String: String])], _ body: ([Child], String) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "tm-replicas-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var replicas: [Child] = []
        do {
            for (name, settings) in specs { replicas.append(try await replica(url, dir, name, settings)) }
            try await body(replicas, dir)
        } catch {
            for replica in replicas { _ = try? await replica.terminate() }
            throw error
        }
        for replica in replicas { _ = try await replica.terminate() }
    }

    struct Answer {
        var thread: String
        var before: Int
        var run: (Int, Int)
        var after: Int
        var terminal: String
        var errorCode: String?
    }

    /// One streamed query; nil when the answer is not a stream (e.g. a 503 refusal).
    static func query(_ port: Int, thread: String?) async throws -> (status: Int, answer: Answer?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/query")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        var body: [String: Any] = ["query": "Where do we stand with Acme?"]
        if let thread { body["threadId"] = thread }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await testSession.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { return (status, nil) }
        let events = try SSEEventRecord.parse(String(decoding: data, as: UTF8.self))
        guard let info = events.first, info.type == "thread_info", let last = events.last,
              let id = info.data["thread_id"] as? String, let before = info.usage("token_usage")?.2,
              let after = last.usage("token_usage")?.2 else { return (status, nil) }
        let run = last.usage("run_usage").map { ($0.0, $0.1) } ?? (0, 0)
        let code = (last.data["error"] as? [String: Any])?["code"] as? String
        return (status, Answer(thread: id, before: before, run: run, after: after, terminal: last.type, errorCode: code))
    }

    static func json(_ port: Int, _ path: String) async throws -> (status: Int, body: [String: Any]) {
        let (data, response) = try await testSession.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        let body = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
    }

    /// `threadmeter_open_streams` of a replica's `/metrics` (-1 when absent).
    static func openStreams(_ port: Int) async throws -> Int {
        let (data, _) = try await testSession.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("threadmeter_open_streams ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? -1
    }

    /// `/stats` threads as id → total tokens, and the total across all threads.
    static func stats(_ port: Int) async throws -> (threads: [String: Int], total: Int, count: Int) {
        let (_, body) = try await json(port, "/stats?limit=1000")
        let statistics = try #require(body["statistics"] as? [String: Any])
        let threads = try #require(statistics["threads"] as? [String: [String: Any]])
        return (threads.mapValues { $0["total_tokens"] as? Int ?? -1 },
                statistics["total_tokens_across_all_threads"] as? Int ?? -1, statistics["total_threads"] as? Int ?? -1)
    }

    /// Sequential queries on shared threads alternate between the replicas; each sees the global
    /// total. Then concurrent runs on one thread through both count exactly once each.
    @Test func alternatingAndConcurrentQueriesOnSharedThreads_areExactOnEveryReplica() async throws {
        try await withTestDatabase { database in
            try await Self.withReplicas(database.url, [("a", [:]), ("b", [:])]) { replicas, _ in
                let (a, b) = (replicas[0], replicas[1])
                var expected: [String: Int] = [:]
                for t in 0..<3 {
                    var thread: String?
                    for i in 0..<6 {
                        let port = i.isMultiple(of: 2) ? a.port : b.port
                        let answer = try #require(try await Self.query(port, thread: thread).answer)
                        #expect(answer.terminal == "stream_complete")
                        #expect(answer.before == expected[answer.thread] ?? 0, "thread_info shows the global total (thread \(t), query \(i))")
                        #expect(answer.after == answer.before + answer.run.0 + answer.run.1)
                        expected[answer.thread] = answer.after
                        thread = answer.thread
                    }
                }
                let shared = try #require(expected.keys.sorted().first)
                let concurrent = try await withThrowingTaskGroup(of: Answer?.self) { group in
                    for i in 0..<12 {
                        let port = i.isMultiple(of: 2) ? a.port : b.port
                        group.addTask { try await Self.query(port, thread: shared).answer }
                    }
                    return try await group.reduce(into: [Answer]()) { if let answer = $1 { $0.append(answer) } }
                }
                #expect(concurrent.count == 12)
                expected[shared, default: 0] += concurrent.reduce(0) { $0 + $1.run.0 + $1.run.1 }
                for port in [a.port, b.port] {
                    let stats = try await Self.stats(port)
                    #expect(stats.threads == expected, "replica on \(port)")
                    #expect(stats.total == expected.values.reduce(0, +))
                    let (status, one) = try await Self.json(port, "/stats/threads/\(shared)")
                    #expect(status == 200)
                    #expect(one["total_tokens"] as? Int == expected[shared])
                    let (_, health) = try await Self.json(port, "/health")
                    #expect(health["storage_backend"] as? String == "postgres")
                }
            }
        }
    }

    /// One replica SIGKILLed under load on shared threads: every run a client was told about is in
    /// the other replica's numbers, and the restarted replica agrees.
    @Test func replicaKilledMidLoad_losesNoAcknowledgedRun() async throws {
        try await withTestDatabase { database in
            try await Self.withReplicas(database.url, [("a", [:]), ("b", [:])]) { replicas, dir in
                let (a, b) = (replicas[0], replicas[1])
                // Shared threads first.
                var threads: [String] = []
                for _ in 0..<4 { threads.append(try #require(try await Self.query(b.port, thread: nil).answer).thread) }
                let told = Tally()
                let shared = threads
                let load = Task {
                    await withTaskGroup(of: Void.self) { group in
                        // Paced (the suite runs other suites' timing tests meanwhile): the replica on a
                        // dies while its clients are mid-query; b's clients stop after a while.
                        for c in 0..<8 {
                            let port = c.isMultiple(of: 2) ? a.port : b.port
                            let thread = shared[c % shared.count]
                            group.addTask {
                                for _ in 0..<(c.isMultiple(of: 2) ? 400 : 10) {
                                    guard let answer = try? await Self.query(port, thread: thread).answer, answer.terminal == "stream_complete" else { return }
                                    told.add(thread, answer.run.0 + answer.run.1)
                                    try? await Task.sleep(for: .milliseconds(20))
                                }
                            }
                        }
                    }
                }
                // Pull the plug mid-load: once runs have been acknowledged and more keep completing.
                let tokensTold = { told.values.values.reduce(0, +) }
                #expect(await eventually { tokensTold() > 0 })
                let early = tokensTold()
                #expect(await eventually { tokensTold() > early })
                try await a.kill9()
                await load.value
                let acknowledged = told.values
                #expect(!acknowledged.isEmpty)
                let inList = shared.map { "'\($0)'" }.joined(separator: ",")
                let before = try await offCooperativePool {
                    try database.psql("SELECT string_agg(thread_id || '=' || total_tokens, ',') FROM threads WHERE thread_id IN (\(inList))")
                }
                let stats = try await Self.stats(b.port)
                for (thread, tokens) in acknowledged {
                    // Every acknowledged run is there; a run committed just before the kill may not have been acknowledged.
                    #expect((stats.threads[thread] ?? -1) >= tokens, "thread \(thread): \(before)")
                }
                // The ledger and the totals agree exactly.
                let ledger = try await offCooperativePool {
                    try database.psql("SELECT (SELECT sum(input_tokens + output_tokens) FROM llm_calls), (SELECT sum(input_tokens + output_tokens) FROM usage_totals)")
                }
                let parts = ledger.split(separator: "|")
                #expect(parts.count == 2 && parts[0] == parts[1], "ledger vs totals: \(ledger)")
                #expect(stats.total == Int(parts.last ?? "") ?? -2)
                let restarted = try await Self.replica(database.url, dir, "a")
                #expect(try await Self.stats(restarted.port).threads == stats.threads)
                _ = try await restarted.terminate()
            }
        }
    }

    /// PostgreSQL stopped: /health 503 within 5 s, queries refused with 503 storage_error, a run
    /// already streaming ends in storage_error and is counted exactly once when the database is back
    /// (200 within 10 s).
    @Test func databaseStoppedAndStarted_isSurvivedAndTheRunIsCountedOnce() async throws {
        try await withTestPostgres { server in
            try await Self.withReplicas(server.url, [("fast", [:]), ("slow", ["SIMULATED_DELAY_MS": "250"])]) { replicas, _ in
                let (fast, slow) = (replicas[0], replicas[1])
                let first = try #require(try await Self.query(fast.port, thread: nil).answer)
                let thread = first.thread
                // A long run on the slow replica; the database goes away while it streams.
                let streaming = Task { try await Self.query(slow.port, thread: thread) }
                // The slow run is mid-stream once its replica counts an open stream.
                #expect(try await eventually { try await Self.openStreams(slow.port) == 1 })
                try await offCooperativePool { try server.stop() }
                let clock = ContinuousClock()
                let stoppedAt = clock.now
                #expect(try await eventually { try await Self.json(fast.port, "/health").status == 503 })
                #expect(clock.now - stoppedAt < .seconds(5.5))
                let (_, health) = try await Self.json(fast.port, "/health")
                #expect(health["storage"] as? String == "error")
                #expect(health["storage_backend"] as? String == "postgres")
                let refused = try await Self.query(fast.port, thread: thread)
                #expect(refused.status == 503)
                let ended = try #require(try await streaming.value.answer)
                #expect(ended.terminal == "error")
                #expect(ended.errorCode == "storage_error")
                // The error event carries no run_usage: its token_usage is the last known total plus this run,
                // which the store must show once the row is written (checked below).
                #expect(ended.before == first.after)
                #expect(ended.after > first.after)
                try await offCooperativePool { try server.start() }
                let startedAt = clock.now
                #expect(try await eventually {
                    let fastStatus = try await Self.json(fast.port, "/health").status
                    let slowStatus = try await Self.json(slow.port, "/health").status
                    return fastStatus == 200 && slowStatus == 200
                })
                #expect(clock.now - startedAt < .seconds(10.5))
                // The spooled run is in, once.
                #expect(try await Self.stats(fast.port).threads[thread] == ended.after)
                let next = try #require(try await Self.query(fast.port, thread: thread).answer)
                #expect(next.before == ended.after)
                let rows = try await offCooperativePool { try server.psql("SELECT count(*) FROM llm_calls WHERE thread_id = '\(thread)'") }
                #expect(rows == "3")
            }
        }
    }

    /// Idle threads are evicted once for the cluster and vanish from every replica's /stats.
    @Test func eviction_isClusterWide() async throws {
        try await withTestDatabase { database in
            let settings = ["THREAD_MAX_AGE_SECONDS": "2", "EVICTION_INTERVAL_SECONDS": "1"]
            try await Self.withReplicas(database.url, [("a", settings), ("b", settings)]) { replicas, _ in
                let (a, b) = (replicas[0], replicas[1])
                let thread = try #require(try await Self.query(a.port, thread: nil).answer).thread
                #expect(try await Self.stats(b.port).threads[thread] != nil)
                #expect(try await eventually {
                    let onA = try await Self.stats(a.port).count
                    let onB = try await Self.stats(b.port).count
                    return onA == 0 && onB == 0
                })
                let evictions = try await offCooperativePool { try database.psql("SELECT count(*) FROM thread_evictions WHERE thread_id = '\(thread)'") }
                #expect(evictions == "1", "evicted once, by one replica")
                let again = try #require(try await Self.query(b.port, thread: thread).answer)
                #expect(again.before == 0, "an evicted thread starts from zero")
            }
        }
    }

    /// Bad DATABASE_URL, unreachable database, newer schema: one line on stderr, exit status 2.
    @Test func badDatabaseSettings_exitWithStatusTwoAndOneLine() async throws {
        let base = ["PORT": "0", "PATH": "/usr/bin:/bin", "PENDING_RUNS_PATH": NSTemporaryDirectory() + "tm-bad-\(UUID().uuidString).pending"]
        let (malformed, malformedText) = try await CrashRecoveryTests.runToExit(environment: base.merging(["DATABASE_URL": "postgres://h:notaport/db"]) { $1 })
        #expect(malformed == 2)
        #expect(malformedText.split(separator: "\n").count == 1)
        #expect(malformedText.contains("port"))
        let clock = ContinuousClock()
        let start = clock.now
        let (unreachable, unreachableText) = try await CrashRecoveryTests.runToExit(environment: base.merging([
            "DATABASE_URL": "postgres://u@127.0.0.1:9/db", "DATABASE_CONNECT_TIMEOUT_SECONDS": "1",
        ]) { $1 })
        #expect(unreachable == 2)
        #expect(unreachableText.split(separator: "\n").count == 1, "\(unreachableText)")
        #expect(unreachableText.contains("cannot connect"))
        #expect(clock.now - start < .seconds(10))
        try await withTestDatabase { database in
            _ = try await offCooperativePool { try database.psql("CREATE TABLE threadmeter_schema (version integer PRIMARY KEY, migrated_at timestamptz NOT NULL DEFAULT now()); INSERT INTO threadmeter_schema (version) VALUES (42)") }
            let (newer, newerText) = try await CrashRecoveryTests.runToExit(environment: base.merging(["DATABASE_URL": database.url]) { $1 })
            #expect(newer == 2)
            #expect(newerText.contains("newer than this build"), "\(newerText)")
        }
    }
}

/// Tokens clients were told about, per thread.
final class Tally: Sendable {
    private let state = Mutex<[String: Int]>([:])
    func add(_ thread: String, _ tokens: Int) { state.withLock { $0[thread, default: 0] += tokens } }
    var values: [String: Int] { state.withLock { $0 } }
}
