// Thread totals, the run ledger and runs in flight, shared by every replica, on PostgreSQL.
import Foundation
import Metering
import Synchronization
import Telemetry
#if canImport(Glibc)
import Glibc
#endif

/// A run in flight, registered in the shared store so that no replica evicts its thread. The lease
/// expires `leaseSeconds` after its last renewal (on the database's clock); the store renews its
/// replica's leases while it runs, so they lapse only when the replica dies.
public struct RunLease: Sendable, Hashable {
    public let id: String
    public let threadId: String
}

/// The usage store of a cluster of replicas: every figure lives in PostgreSQL and each change is
/// one atomic statement, so every replica reads the same, exact numbers.
///
/// - A run begins with a lease (`beginRun`) and finishes with one upsert keyed by its run id
///   (`finishRun`) that also adds it to the thread's and the global totals and returns the new
///   thread totals — a retried write is recognised and counts nothing.
/// - Global totals are kept in a handful of rows, updated in the same statements (never a scan).
/// - Eviction is cluster-wide, one replica at a time (a transaction-scoped advisory lock), on the
///   database's clock, and skips threads with a live lease.
public final class PostgresUsageStore: Sendable {
    public struct Options: Sendable {
        public var pool = PostgresPool.Options()
        /// The pool of lease writes (run start, abort, renewal): commits without waiting for the
        /// WAL flush (`synchronous_commit=off`), so a run's start costs one round trip and no fsync.
        /// A lease lost in a database crash only lapses early; usage rows never go through it.
        public var leasePool: PostgresPool.Options = {
            var options = PostgresPool.Options()
            options.size = 2
            options.settings = [("synchronous_commit", "off")]
            return options
        }()
        /// How long a run's lease lives without renewal (a dead replica's runs lapse after this).
        public var leaseSeconds: Double = 30
        /// How often the leases of this replica's runs are renewed.
        public var leaseRenewInterval: Duration = .seconds(10)
        /// Most threads one eviction statement removes.
        public var evictionBatch = 10_000
        /// A readable replica name stored with its ledger rows (`host:port`); a random suffix makes
        /// each process's lease owner unique, so a restarted replica never renews a dead one's leases.
        public var replicaName = PostgresUsageStore.hostName

        public init() {}
    }

    public let pool: PostgresPool
    /// Lease writes (see `Options.leasePool`).
    let leasePool: PostgresPool
    public let options: Options
    /// This process's lease owner id.
    public let replicaId: String
    private let logger: Logger
    private let renewer = Mutex<Task<Void, Never>?>(nil)

    /// This machine's name (`gethostname`, no DNS lookup).
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The schema version this build writes.
    public static var schemaVersion: Int { PostgresSchema.currentVersion }

    /// Connects (retrying until `connectTimeout`), migrates under the advisory lock, and starts
    /// renewing leases.
    /// - Throws: `PostgresError` with a one-line reason: unreachable within the timeout, a newer
    ///   schema, a database that is not ThreadMeter's.
    public static func open(
        url: PostgresURL, options: Options = Options(), logger: Logger = .noop, connectTimeout: Duration = .seconds(30)
    ) async throws(PostgresError) -> PostgresUsageStore {
        let pool = PostgresPool(url: url, options: options.pool, logger: logger)
        do throws(PostgresError) {
            try await pool.waitUntilConnected(timeout: connectTimeout)
            let found = try await PostgresSchema.migrate(pool)
            logger.info("usage database open", [
                ("database", url.description), ("backend", "postgres"),
                ("schema_version", "\(PostgresSchema.currentVersion)"), ("migrated_from", "\(found)"),
            ])
        } catch {
            pool.close()
            throw error
        }
        let leasePool = PostgresPool(url: url, options: options.leasePool, logger: logger, label: "threadmeter.postgres.leases")
        return PostgresUsageStore(pool: pool, leasePool: leasePool, options: options, logger: logger)
    }

    init(pool: PostgresPool, leasePool: PostgresPool, options: Options, logger: Logger) {
        self.pool = pool
        self.leasePool = leasePool
        self.options = options
        self.logger = logger
        replicaId = "\(options.replicaName)/\(UUID().uuidString.prefix(8).lowercased())"
        let interval = options.leaseRenewInterval
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                do {
                    try await self.renewLeases()
                } catch {
                    self.logger.warning("run leases not renewed", [("error", "\(error)")])
                }
            }
        }
        renewer.withLock { $0 = task }
    }

    /// Stops renewing leases and closes the connections.
    public func close() {
        renewer.withLock { $0?.cancel() }
        leasePool.close()
        pool.close()
    }

    /// Whether the database answers on both pools (see `PostgresPool.isHealthy`): after an outage
    /// the store is healthy once runs can both start and finish.
    public var isHealthy: Bool { pool.isHealthy && leasePool.isHealthy }

    // MARK: Runs

    /// A run starts: the thread is tracked (at zero if new), touched, and leased to this replica.
    /// Returns the lease and the thread's totals before the run.
    public func beginRun(threadId: String, account: String?) async throws(PostgresError) -> (lease: RunLease, before: ThreadUsageSnapshot) {
        let lease = RunLease(id: UUID().uuidString, threadId: threadId)
        let rows = try await leasePool.query(PostgresQueries.beginRun, [
            threadId, account, lease.id, replicaId, "\(options.leaseSeconds)", "\(Self.totalsSlot())",
        ])
        guard let row = rows.first else { throw PostgresError(.server, "beginning a run returned no row") }
        return (lease, Self.snapshot(threadId, row, offset: 0))
    }

    /// A run ended with a ledger row. Stores it once (keyed by run id), adds it to the thread and the
    /// global totals when it counts as a run, ends `lease`. Returns whether the row was new (false:
    /// a retry of a write that had been stored) and the thread's totals after.
    public func finishRun(_ record: RunRecord, lease: RunLease?) async throws(PostgresError) -> (recorded: Bool, after: ThreadUsageSnapshot) {
        let rows = try await pool.query(PostgresQueries.finishRun, Self.parameters(record) + [
            options.replicaName, record.countsAsRun ? "true" : "false", lease?.id ?? "", "\(Self.totalsSlot())", record.surface.rawValue,
        ])
        guard let row = rows.first else {
            // A run that does not count, on a thread no longer tracked.
            return (true, ThreadUsageSnapshot(threadId: record.threadId, usage: .zero, runs: 0, lastActivity: record.accountedAt, account: record.account))
        }
        return (row.bool(0) ?? false, Self.snapshot(record.threadId, row, offset: 1))
    }

    /// A run ended without usage: its lease goes and the thread is touched.
    public func abortRun(_ lease: RunLease) async throws(PostgresError) {
        _ = try await leasePool.query(PostgresQueries.abortRun, [lease.id, lease.threadId])
    }

    /// Renews this replica's leases (the store does it every `leaseRenewInterval`).
    public func renewLeases() async throws(PostgresError) {
        _ = try await leasePool.query(PostgresQueries.renewLeases, [replicaId, "\(options.leaseSeconds)"])
    }

    /// Whether the ledger holds a row for this run id.
    public func containsRun(runId: String) async throws(PostgresError) -> Bool {
        try await pool.query(PostgresQueries.containsRun, [runId]).first?.bool(0) ?? false
    }

    // MARK: Reading

    public func snapshot(threadId: String) async throws(PostgresError) -> ThreadUsageSnapshot? {
        try await pool.query(PostgresQueries.snapshot, [threadId]).first.map { Self.snapshot(threadId, $0, offset: 0) }
    }

    /// Totals over every tracked thread of the cluster.
    public func totals() async throws(PostgresError) -> UsageTotals {
        let row = try await pool.query(PostgresQueries.totals, []).first
        return UsageTotals(threads: row?.int(0) ?? 0, inputTokens: row?.int(1) ?? 0, outputTokens: row?.int(2) ?? 0, costUSD: row?.double(3) ?? 0)
    }

    /// Up to `limit` threads by total tokens, descending; ties by thread id.
    public func top(limit: Int) async throws(PostgresError) -> [ThreadUsageSnapshot] {
        try await pool.query(PostgresQueries.top, ["\(max(0, limit))"]).all.map { Self.snapshot($0.string(0) ?? "", $0, offset: 1) }
    }

    /// Totals and the top `limit` threads, on one connection.
    public func overview(limit: Int) async throws(PostgresError) -> (totals: UsageTotals, top: [ThreadUsageSnapshot]) {
        let results = try await pool.execute([.prepared(PostgresQueries.totals, []), .prepared(PostgresQueries.top, ["\(max(0, limit))"])])
        let row = results[0].first
        let totals = UsageTotals(threads: row?.int(0) ?? 0, inputTokens: row?.int(1) ?? 0, outputTokens: row?.int(2) ?? 0, costUSD: row?.double(3) ?? 0)
        return (totals, results[1].all.map { Self.snapshot($0.string(0) ?? "", $0, offset: 1) })
    }

    /// Ledger history over [since, until), grouped by account, model or UTC day.
    public func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws(PostgresError) -> [UsageBucket] {
        let rows = try await pool.query(PostgresQueries.history(groupBy), [
            "\(since ?? -Double.greatestFiniteMagnitude)", "\(until ?? Double.greatestFiniteMagnitude)",
        ])
        return rows.all.map {
            UsageBucket(key: $0.string(0) ?? "", runs: $0.int(1) ?? 0, inputTokens: $0.int(2) ?? 0, outputTokens: $0.int(3) ?? 0,
                        costUSD: $0.double(4) ?? 0, unpricedRuns: $0.int(5) ?? 0)
        }
    }

    // MARK: Eviction

    /// Evicts, for the whole cluster, threads idle for longer than `maxAgeSeconds` on the database's
    /// clock that have no live lease. Returns the evicted ids; empty when another replica holds the
    /// eviction lock right now.
    public func evictIdle(maxAgeSeconds: Double) async throws(PostgresError) -> [String] {
        var evicted: [String] = []
        while true {
            let rows = try await pool.query(PostgresQueries.evict, ["\(maxAgeSeconds)", "\(options.evictionBatch)"])
            evicted += rows.all.compactMap { $0.string(0) }
            if rows.count < options.evictionBatch { return evicted }
        }
    }

    // MARK: Import

    /// Copies ledger rows as they are (their `recordedAt` kept); rows whose run id exists are skipped.
    /// Call `rebuildTotals()` after the last batch.
    public func importRuns(_ records: [RunRecord], replica: String = "migrated") async throws(PostgresError) {
        guard !records.isEmpty else { return }
        var steps: [PGStep] = [.simple("BEGIN")]
        for record in records {
            steps.append(.prepared(PostgresQueries.importRun, Self.parameters(record) + ["\(record.accountedAt)", replica]))
        }
        steps.append(.simple("COMMIT"))
        _ = try await pool.withSession(timeout: .seconds(300)) { session throws(PostgresError) in
            try await session.execute(steps, timeout: .seconds(300))
        }
    }

    /// Copies eviction records (an identical record is not copied twice).
    public func importEvictions(_ evictions: [(threadId: String, at: Double)]) async throws(PostgresError) {
        guard !evictions.isEmpty else { return }
        let steps: [PGStep] = [.simple("BEGIN")] + evictions.map { .prepared(PostgresQueries.importEviction, [$0.threadId, "\($0.at)"]) } + [.simple("COMMIT")]
        _ = try await pool.withSession(timeout: .seconds(300)) { session throws(PostgresError) in
            try await session.execute(steps, timeout: .seconds(300))
        }
    }

    /// Recomputes thread and global totals from the ledger (each thread since its last eviction).
    public func rebuildTotals() async throws(PostgresError) {
        _ = try await pool.withSession(timeout: .seconds(600)) { session throws(PostgresError) in
            try await session.simple(PostgresQueries.rebuild, timeout: .seconds(600))
        }
    }

    // MARK: Helpers

    /// The `usage_totals` row a commit adds to: spread so concurrent commits rarely share a row lock.
    private static func totalsSlot() -> Int { Int.random(in: 0..<PostgresSchema.totalsSlots) }

    /// $1…$15 of a ledger row.
    private static func parameters(_ r: RunRecord) -> [String?] {
        [
            r.runId, r.threadId, r.account, r.demandStage, r.model,
            "\(r.usage.inputTokens)", "\(r.usage.outputTokens)",
            r.usage.cachedInputTokens.map { "\($0)" }, r.usage.reasoningTokens.map { "\($0)" },
            r.usageSource.rawValue, statusText(r), r.costUSD.map { "\($0)" },
            "\(r.startedAt)", "\(r.finishedAt)", r.streaming ? "true" : "false",
        ]
    }

    /// The ledger's text for a run's status.
    static func statusText(_ r: RunRecord) -> String { r.status.rawValue }

    /// The status a ledger text names, or nil.
    static func status(_ text: String) -> RunStatus? { RunStatus(rawValue: text) }

    /// A thread row (`threadColumns` from `offset`) as a snapshot.
    private static func snapshot(_ threadId: String, _ row: PGRow, offset o: Int) -> ThreadUsageSnapshot {
        ThreadUsageSnapshot(
            threadId: threadId,
            usage: TokenUsage(inputTokens: row.int(o) ?? 0, outputTokens: row.int(o + 1) ?? 0),
            runs: row.int(o + 2) ?? 0,
            lastActivity: row.double(o + 5) ?? 0,
            account: row.string(o + 4),
            costUSD: row.double(o + 3)
        )
    }
}
