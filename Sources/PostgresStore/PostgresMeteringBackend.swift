// What the meter needs from the shared store: runs with leases, durable pending rows, cached totals.
import Foundation
import Metering
import Synchronization
import Telemetry

/// The PostgreSQL side of the meter: thread totals, the ledger and runs in flight live in the shared
/// store; this replica keeps only its runs' leases, a durable spool of rows the store could not take,
/// and the latest global totals for `/health`.
///
/// A run whose row cannot be written (store down, timeout) is kept in the spool (fsynced) and
/// reported as a `StorageError` carrying the thread's last known totals plus this run; a background
/// loop writes spooled rows when the store answers again — exactly once, since the store ignores a
/// run id it already has — and also after a restart of the replica.
public final class PostgresMeteringBackend: UsageStore {
    private struct InFlight: Sendable {
        var lease: RunLease?
        var before: ThreadUsageSnapshot
    }

    public let store: PostgresUsageStore
    public let spool: RunSpool
    public let maxAgeSeconds: Double
    private let logger: Logger
    private let inFlight = Mutex<[String: [InFlight]]>([:])
    private let cachedTotals = Mutex(UsageTotals(threads: 0, inputTokens: 0, outputTokens: 0, costUSD: 0))
    private let loop = Mutex<Task<Void, Never>?>(nil)
    private let flushing = Atomic<Bool>(false)

    /// - Parameters:
    ///   - maxAgeSeconds: idle age after which the cluster evicts a thread (`THREAD_MAX_AGE_SECONDS`).
    ///   - refreshInterval: how often spooled rows are retried and the cached totals refreshed.
    public init(store: PostgresUsageStore, spool: RunSpool, maxAgeSeconds: Double, logger: Logger = .noop, refreshInterval: Duration = .seconds(1)) {
        self.store = store
        self.spool = spool
        self.maxAgeSeconds = maxAgeSeconds
        self.logger = logger
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: refreshInterval)
                guard let self else { return }
                await self.flushSpool()
                await self.refreshTotals()
            }
        }
        loop.withLock { $0 = task }
    }

    /// Stops the background loop and closes the store.
    public func close() {
        loop.withLock { $0?.cancel() }
        store.close()
    }

    public var backendName: String { "postgres" }

    /// Whether the store answers and no row waits in the spool.
    public var isHealthy: Bool { store.isHealthy && spool.isEmpty }

    /// Whether a new run may start: the store answers (else the app refuses with `storage_error`
    /// before any upstream call).
    public var acceptsRuns: Bool { store.isHealthy }

    /// Rows waiting in the spool.
    public var pendingWrites: Int { spool.count }

    // MARK: Runs

    /// The run starts: leased in the store; returns the thread's totals before it. If the store
    /// fails right now the run goes on (the upstream accepted it) with the last totals known here.
    public func beginRun(threadId: String, account: String?) async -> ThreadUsageSnapshot {
        do {
            let (lease, before) = try await store.beginRun(threadId: threadId, account: account)
            push(threadId, InFlight(lease: lease, before: before))
            return before
        } catch {
            logger.warning("run not leased in the usage store", [("thread_id", threadId), ("error", "\(error)")])
            let before = lastKnown(threadId) ?? ThreadUsageSnapshot(threadId: threadId, usage: .zero, runs: 0, lastActivity: Date().timeIntervalSince1970, account: account)
            push(threadId, InFlight(lease: nil, before: before))
            return before
        }
    }

    /// Stores the run (once, by run id) and returns the thread's totals after it.
    /// - Throws: `StorageError` when the store could not take it; the row is then in the spool
    ///   (`queuedForRetry`) and the error's snapshot is the last known totals plus this run.
    public func record(_ record: RunRecord) async throws(StorageError) -> ThreadUsageSnapshot {
        let flight = pop(record.threadId)
        do {
            let (_, after) = try await store.finishRun(record, lease: flight?.lease)
            return after
        } catch {
            var kept = true
            do {
                try spool.append(record)
            } catch let spoolFailure {
                kept = false
                logger.error("usage row neither stored nor spooled", [
                    ("run_id", record.runId), ("thread_id", record.threadId), ("account", record.account ?? ""),
                    ("model", record.model ?? ""), ("input_tokens", "\(record.usage.inputTokens)"),
                    ("output_tokens", "\(record.usage.outputTokens)"), ("error", "\(spoolFailure)"),
                ])
            }
            var snapshot = flight?.before ?? lastKnown(record.threadId)
                ?? ThreadUsageSnapshot(threadId: record.threadId, usage: .zero, runs: 0, lastActivity: record.accountedAt, account: record.account)
            if record.countsAsRun {
                snapshot.usage += record.usage.withoutDetails
                snapshot.runs += 1
                if let cost = record.costUSD { snapshot.costUSD = (snapshot.costUSD ?? 0) + cost }
            }
            logger.error("usage row not stored; kept in the pending-runs file", [
                ("thread_id", record.threadId), ("run_id", record.runId), ("error", "\(error)"), ("spooled", "\(kept)"),
            ])
            throw StorageError(snapshot: snapshot, reason: "\(error)", queuedForRetry: kept)
        }
    }

    /// A run ended without a row: its lease goes.
    /// A row waiting in the spool counts as recorded.
    public func hasRecorded(runId: String) async throws -> Bool {
        if spool.contains(runId: runId) { return true }
        return try await store.containsRun(runId: runId)
    }

    public func abortRun(threadId: String) async {
        guard let flight = pop(threadId), let lease = flight.lease else { return }
        do {
            try await store.abortRun(lease)
        } catch {
            logger.warning("run lease not released; it will lapse", [("thread_id", threadId), ("error", "\(error)")])
        }
    }

    // MARK: Reading

    public func snapshot(threadId: String) async throws -> ThreadUsageSnapshot? {
        try await store.snapshot(threadId: threadId)
    }

    public func totals() async throws -> UsageTotals {
        let totals = try await store.totals()
        cachedTotals.withLock { $0 = totals }
        return totals
    }

    public func overview(limit: Int) async throws -> (totals: UsageTotals, top: [ThreadUsageSnapshot]) {
        let overview = try await store.overview(limit: limit)
        cachedTotals.withLock { $0 = overview.totals }
        return overview
    }

    /// The cluster's totals as of the latest refresh (at most about a second old; for `/health`).
    public var latestTotals: UsageTotals { cachedTotals.withLock { $0 } }

    public func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket] {
        try await store.usageHistory(since: since, until: until, groupBy: groupBy)
    }

    // MARK: Eviction and recovery

    /// Evicts idle threads for the whole cluster (nothing when another replica is evicting).
    public func evictIdle() async -> [String] {
        do {
            return try await store.evictIdle(maxAgeSeconds: maxAgeSeconds)
        } catch {
            logger.warning("eviction skipped: usage store unavailable", [("error", "\(error)")])
            return []
        }
    }

    /// At startup: writes rows spooled before a restart and loads the totals.
    public func recover() async {
        if !spool.isEmpty {
            logger.notice("writing usage rows kept while the store was unreachable", [("rows", "\(spool.count)"), ("file", spool.path)])
        }
        await flushSpool()
        await refreshTotals()
    }

    /// Writes spooled rows in order until done or a write fails.
    func flushSpool() async {
        guard !spool.isEmpty, store.isHealthy, !flushing.exchange(true, ordering: .acquiringAndReleasing) else { return }
        defer { flushing.store(false, ordering: .releasing) }
        var written = 0
        for record in spool.pending {
            do {
                _ = try await store.finishRun(record, lease: nil)
                try spool.markDone(record.runId)
                written += 1
            } catch {
                logger.warning("usage store still failing; will retry", [("pending", "\(spool.count)"), ("error", "\(error)")])
                return
            }
        }
        if written > 0 { logger.notice("usage store recovered; pending rows written", [("rows", "\(written)")]) }
    }

    private func refreshTotals() async {
        guard let totals = try? await store.totals() else { return }
        cachedTotals.withLock { $0 = totals }
    }

    // MARK: In-flight bookkeeping

    private func push(_ threadId: String, _ flight: InFlight) {
        inFlight.withLock { $0[threadId, default: []].append(flight) }
    }

    /// Any one of the thread's runs in flight here (their leases are interchangeable).
    private func pop(_ threadId: String) -> InFlight? {
        inFlight.withLock { map in
            guard var list = map[threadId], !list.isEmpty else { return nil }
            let flight = list.removeFirst()
            map[threadId] = list.isEmpty ? nil : list
            return flight
        }
    }

    private func lastKnown(_ threadId: String) -> ThreadUsageSnapshot? {
        inFlight.withLock { $0[threadId]?.last?.before }
    }
}
