// The embedded store of one replica: the in-memory registry over a durable ledger (SQLite).
import Synchronization
import Telemetry

/// Thread totals in this process (the `ThreadRegistry` actor) over a durable `UsageLedger`.
///
/// `record` commits the run's ledger row first and only then adds it to the registry, so a total
/// the client is told has already survived a crash. Concurrent runs share one commit when the ledger
/// groups them (the SQLite ledger does).
///
/// When a ledger write fails (I/O error, full disk) the run is still counted in memory — the
/// upstream charged for it — its row goes to a bounded retry queue, `isHealthy` turns false, and
/// `record` throws `StorageError` carrying the thread's new totals. A background loop retries the
/// queue every `retryInterval` and `isHealthy` turns true once it is empty and the ledger healthy.
/// If the queue is full the row is logged at error level (so it can be recovered from the log) and
/// dropped from memory; it still counts in the registry until restart.
public final class LocalUsageStore: UsageStore {
    /// The in-memory registry (exposed for tests and benchmarks).
    public let registry: ThreadRegistry
    /// The durable store.
    public let ledger: any UsageLedger
    /// `/health`'s `storage_backend`: `sqlite` (also for the in-memory ledger of tests and `:memory:`).
    public let backendName: String
    let clock: any MeteringClock
    private let logger: Logger
    private let pending: PendingWriteQueue
    private let retryInterval: Duration
    private let timerClock: any Clock<Duration>

    /// Rows per ledger write when the retry loop drains the queue.
    static let retryChunk = 512

    /// - Parameters:
    ///   - registry: the in-memory registry; give it the same `clock` (recovery compares its activity
    ///     times with the times recorded here).
    ///   - ledger: the durable store.
    ///   - backendName: what `/health` shows as `storage_backend`.
    ///   - retryInterval: pause between retries of failed ledger writes.
    ///   - maxPendingWrites: bound of the retry queue.
    ///   - timerClock: what the retry loop sleeps on (tests pass a clock they advance).
    public init(
        registry: ThreadRegistry, ledger: any UsageLedger, backendName: String = "sqlite", clock: any MeteringClock = SystemClock(),
        logger: Logger = .noop, retryInterval: Duration = .seconds(1), maxPendingWrites: Int = 100_000,
        timerClock: any Clock<Duration> = ContinuousClock()
    ) {
        self.registry = registry
        self.ledger = ledger
        self.backendName = backendName
        self.clock = clock
        self.logger = logger
        self.pending = PendingWriteQueue(capacity: maxPendingWrites)
        self.retryInterval = retryInterval
        self.timerClock = timerClock
    }

    // MARK: Runs

    public func beginRun(threadId: String, account: String?) async -> ThreadUsageSnapshot {
        await registry.beginRun(threadId: threadId, account: account)
    }

    public func record(_ record: RunRecord) async throws(StorageError) -> ThreadUsageSnapshot {
        do {
            try await ledger.append(record)
        } catch {
            let snapshot = await account(record)
            let kept = keepForRetry(.run(record))
            logger.error("usage row not stored", [
                ("thread_id", record.threadId), ("run_id", record.runId), ("error", "\(error)"), ("kept_for_retry", "\(kept)"),
            ])
            throw StorageError(snapshot: snapshot, reason: "\(error)", queuedForRetry: kept)
        }
        return await account(record)
    }

    public func abortRun(threadId: String) async {
        await registry.abortRun(threadId: threadId)
    }

    /// A row queued for retry counts as recorded: it is counted in the registry already.
    public func hasRecorded(runId: String) async throws -> Bool {
        if pending.containsRun(runId: runId) { return true }
        return try await ledger.containsRun(runId: runId)
    }

    private func account(_ record: RunRecord) async -> ThreadUsageSnapshot {
        guard record.countsAsRun else {
            await registry.abortRun(threadId: record.threadId)
            return await registry.snapshot(threadId: record.threadId)
                ?? ThreadUsageSnapshot(threadId: record.threadId, usage: .zero, runs: 0, lastActivity: clock.now(), account: record.account, costUSD: nil)
        }
        return await registry.completeRun(
            threadId: record.threadId, usage: record.usage.withoutDetails, costUSD: record.costUSD,
            account: record.account, at: record.recordedAt
        )
    }

    // MARK: Reading

    public func snapshot(threadId: String) async -> ThreadUsageSnapshot? {
        await registry.snapshot(threadId: threadId)
    }

    public var latestTotals: UsageTotals { registry.latestTotals }

    public func totals() async -> UsageTotals {
        await registry.totals()
    }

    public func overview(limit: Int) async -> (totals: UsageTotals, top: [ThreadUsageSnapshot]) {
        await registry.overview(limit: limit)
    }

    public func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket] {
        try await ledger.usageHistory(since: since, until: until, groupBy: groupBy)
    }

    /// False while the ledger reports a failed write or failed rows wait for a retry.
    public var isHealthy: Bool { ledger.isHealthy && pending.isEmpty }

    /// Always: a run is counted in memory even while the ledger fails (and its row retried).
    public var acceptsRuns: Bool { true }

    public var pendingWrites: Int { pending.count }

    /// Failed writes that did not fit the retry queue (logged, then dropped).
    public var droppedWrites: Int { pending.dropped }

    // MARK: Eviction and recovery

    /// Evicts idle threads and records the eviction in the ledger (so it holds after a restart).
    /// Returns the evicted ids. A ledger failure queues the eviction for retry and is logged.
    public func evictIdle() async -> [String] {
        let at = clock.now()
        let evicted = await registry.evictIdle(asOf: at)
        guard !evicted.isEmpty else { return evicted }
        do {
            try await ledger.recordEviction(threadIds: evicted, at: at)
        } catch {
            let kept = keepForRetry(.eviction(threadIds: evicted, at: at))
            logger.error("eviction not stored", [("threads", "\(evicted.count)"), ("error", "\(error)"), ("kept_for_retry", "\(kept)")])
        }
        return evicted
    }

    /// Rebuilds the registry from the ledger: threads active within `maxAgeSeconds`, with their
    /// usage since their last eviction. Call once at startup, before serving.
    public func recover() async throws {
        let since = clock.now() - registry.maxAgeSeconds
        let threads = try await ledger.loadThreads(activeSince: since)
        await registry.restore(threads)
        let totals = await registry.totals()
        logger.info("usage recovered from ledger", [("threads", "\(totals.threads)"), ("total_tokens", "\(totals.totalTokens)")])
    }

    // MARK: Retry

    private func keepForRetry(_ write: PendingWrite) -> Bool {
        let (kept, startRetry) = pending.enqueue(write)
        if !kept {
            switch write {
            case .run(let r):
                logger.error("retry queue full; usage row dropped from memory", [
                    ("run_id", r.runId), ("thread_id", r.threadId), ("account", r.account ?? ""), ("model", r.model ?? ""),
                    ("input_tokens", "\(r.usage.inputTokens)"), ("output_tokens", "\(r.usage.outputTokens)"),
                    ("status", r.status.rawValue), ("finished_at", "\(r.finishedAt)"), ("recorded_at", "\(r.accountedAt)"),
                ])
            case .eviction(let ids, let at):
                logger.error("retry queue full; eviction record dropped", [("threads", "\(ids.count)"), ("at", "\(at)")])
            }
        }
        if startRetry {
            Task { [weak self] in await self?.retryLoop() }
        }
        return kept
    }

    private func retryLoop() async {
        while true {
            do {
                try await timerClock.sleep(for: retryInterval)
            } catch {
                pending.retryLoopEnded()
                return
            }
            await flushPending()
            if pending.stopRetryingIfEmpty() {
                logger.notice("usage store recovered; queued rows written")
                return
            }
        }
    }

    /// Writes queued rows in order until the queue is empty or a write fails.
    func flushPending() async {
        while true {
            let batch = pending.front(Self.retryChunk)
            guard let first = batch.first else { return }
            do {
                switch first {
                case .eviction(let ids, let at):
                    try await ledger.recordEviction(threadIds: ids, at: at)
                    pending.removeFront(1)
                case .run:
                    var runs: [RunRecord] = []
                    for write in batch {
                        guard case .run(let record) = write else { break }
                        runs.append(record)
                    }
                    try await ledger.append(contentsOf: runs)
                    pending.removeFront(runs.count)
                }
            } catch {
                logger.warning("usage store still failing; will retry", [("pending", "\(pending.count)"), ("error", "\(error)")])
                return
            }
        }
    }
}
