// The metering facade the app calls: registry + ledger + pricing.
import Synchronization
import Telemetry

/// Accounts runs per thread in memory and durably.
///
/// `finishRun` commits the run's ledger row first and only then adds it to the registry, so a
/// total the client is told has already survived a crash. Concurrent runs share one commit when
/// the ledger groups them (the SQLite ledger does).
///
/// When a ledger write fails (I/O error, full disk) the run is still counted in memory — the
/// upstream charged for it — its row goes to a bounded retry queue, `isHealthy` turns false, and
/// `finishRun` throws `StorageError` carrying the thread's new totals. A background loop retries
/// the queue every `retryInterval` and `isHealthy` turns true once it is empty and the ledger
/// healthy. If the queue is full the row is logged at error level (so it can be recovered from the
/// log) and dropped from memory; it still counts in the registry until restart.
public final class UsageMeter: Sendable {
    /// The in-memory registry (exposed for tests and benchmarks).
    public let registry: ThreadRegistry
    /// The durable store.
    public let ledger: any UsageLedger
    private let clock: any MeteringClock
    private let logger: Logger
    private let pricingTable: Mutex<PricingTable>
    private let pending: PendingWriteQueue
    private let retryInterval: Duration
    private let unknownModels = Mutex<Set<String>>([])
    private let unknownModelRunCount = Atomic<Int>(0)

    /// Rows per ledger write when the retry loop drains the queue.
    static let retryChunk = 512

    /// - Parameters:
    ///   - maxAgeSeconds: idle age after which threads are evicted (`THREAD_MAX_AGE_SECONDS`).
    ///   - ledger: the durable store.
    ///   - pricing: prices for `estimated_cost_usd` (replace with `reloadPricing`).
    ///   - clock: time source of the registry and of the times recorded for recovery.
    ///   - retryInterval: pause between retries of failed ledger writes.
    ///   - maxPendingWrites: bound of the retry queue.
    ///   - evictionBatchSize: most evictions between two yields of the registry during a sweep.
    public convenience init(
        maxAgeSeconds: Double,
        ledger: any UsageLedger,
        pricing: PricingTable = .builtIn,
        clock: any MeteringClock = SystemClock(),
        logger: Logger = .noop,
        retryInterval: Duration = .seconds(1),
        maxPendingWrites: Int = 100_000,
        evictionBatchSize: Int = 4_096
    ) {
        self.init(
            registry: ThreadRegistry(maxAgeSeconds: maxAgeSeconds, clock: clock, evictionBatchSize: evictionBatchSize),
            ledger: ledger, pricing: pricing, clock: clock, logger: logger,
            retryInterval: retryInterval, maxPendingWrites: maxPendingWrites
        )
    }

    /// A meter over an existing registry. Give the registry the same `clock`: recovery compares the
    /// registry's activity times with the times the meter records.
    public init(
        registry: ThreadRegistry,
        ledger: any UsageLedger,
        pricing: PricingTable = .builtIn,
        clock: any MeteringClock = SystemClock(),
        logger: Logger = .noop,
        retryInterval: Duration = .seconds(1),
        maxPendingWrites: Int = 100_000
    ) {
        self.registry = registry
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
        self.pricingTable = Mutex(pricing)
        self.pending = PendingWriteQueue(capacity: maxPendingWrites)
        self.retryInterval = retryInterval
    }

    // MARK: Runs

    /// A run starts: the thread is tracked (at zero if new) and cannot be evicted until the run
    /// finishes or aborts. Returns the usage accumulated before this run (for `thread_info`).
    public func beginRun(threadId: String, account: String?) async -> ThreadUsageSnapshot {
        await registry.beginRun(threadId: threadId, account: account)
    }

    /// A run ended (successfully or not): prices it, stores its row durably, then adds it to the
    /// thread. The one place a run is settled: cost → ledger → registry.
    ///
    /// Fills `costUSD` from the pricing table when it is `nil` and the run counts (it stays `nil` for
    /// an unknown model, which is counted and logged as a warning) and stamps `recordedAt` with the
    /// meter's clock. A failed write leaves the run counted in memory, queues the row for retry and
    /// is reported in `storageFailure` (whose snapshot carries the new totals).
    public func settle(_ record: RunRecord) async -> RunSettlement {
        let record = prepare(record)
        do {
            try await ledger.append(record)
        } catch {
            let snapshot = await account(record)
            let kept = keepForRetry(.run(record))
            let failure = StorageError(snapshot: snapshot, reason: "\(error)", queuedForRetry: kept)
            logger.error("usage row not stored", [
                ("thread_id", record.threadId), ("run_id", record.runId), ("error", "\(error)"), ("kept_for_retry", "\(kept)"),
            ])
            return RunSettlement(record: record, thread: snapshot, storageFailure: failure)
        }
        return RunSettlement(record: record, thread: await account(record))
    }

    /// `settle`, returning the thread's new totals.
    /// - Throws: `StorageError` when the row could not be stored; the run is counted anyway and the
    ///   error carries the new totals.
    public func finishRun(_ record: RunRecord) async throws(StorageError) -> ThreadUsageSnapshot {
        let settlement = await settle(record)
        if let failure = settlement.storageFailure { throw failure }
        return settlement.thread
    }

    /// A run ended without usage to account (it never reached the upstream): ends it in the registry.
    public func abortRun(threadId: String) async {
        await registry.abortRun(threadId: threadId)
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

    private func prepare(_ input: RunRecord) -> RunRecord {
        var record = input
        if record.recordedAt == nil { record.recordedAt = clock.now() }
        if record.usage.inputTokens < 0 || record.usage.outputTokens < 0 {
            logger.error("negative token usage reported; counting it as zero", [
                ("thread_id", record.threadId), ("run_id", record.runId),
                ("input_tokens", "\(record.usage.inputTokens)"), ("output_tokens", "\(record.usage.outputTokens)"),
            ])
            record.usage.inputTokens = max(0, record.usage.inputTokens)
            record.usage.outputTokens = max(0, record.usage.outputTokens)
        }
        if record.costUSD == nil, record.countsAsRun {
            record.costUSD = cost(model: record.model, usage: record.usage)
            if record.costUSD == nil { noteUnknownModel(record.model) }
        }
        return record
    }

    // MARK: Pricing

    /// Cost of `usage` on `model` in USD with the prices in force, or `nil` for an unknown model.
    public func cost(model: String?, usage: TokenUsage) -> Double? {
        pricingTable.withLock { $0.cost(model: model, usage: usage) }
    }

    /// The prices in force.
    public var pricing: PricingTable { pricingTable.withLock { $0 } }

    /// Replaces the prices in force (the app calls it at startup and on SIGHUP).
    public func reloadPricing(_ table: PricingTable) {
        pricingTable.withLock { $0 = table }
        logger.notice("pricing loaded", [("source", table.source), ("models", "\(table.count)")])
    }

    /// Runs accounted without a known price (unknown or missing model) since start.
    public var unknownModelRuns: Int { unknownModelRunCount.load(ordering: .relaxed) }

    private func noteUnknownModel(_ model: String?) {
        unknownModelRunCount.add(1, ordering: .relaxed)
        let name = model ?? ""
        let first = unknownModels.withLock { seen -> Bool in
            guard seen.count < 1000, !seen.contains(name) else { return false }
            seen.insert(name)
            return true
        }
        if first {
            logger.warning("no price for model; estimated_cost_usd is null for its runs", [("model", model ?? "(none)")])
        }
    }

    // MARK: Reading

    public func snapshot(threadId: String) async -> ThreadUsageSnapshot? {
        await registry.snapshot(threadId: threadId)
    }

    /// Totals as of the latest recorded change, without waiting for the registry actor (for `/health`).
    public var latestTotals: UsageTotals { registry.latestTotals }

    public func totals() async -> UsageTotals {
        await registry.totals()
    }

    public func top(limit: Int) async -> [ThreadUsageSnapshot] {
        await registry.top(limit: limit)
    }

    /// Totals and the top `limit` threads from the same instant (one registry call, for `/stats`).
    public func overview(limit: Int) async -> (totals: UsageTotals, top: [ThreadUsageSnapshot]) {
        await registry.overview(limit: limit)
    }

    /// Ledger history over [since, until), grouped by account, model or UTC day.
    public func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket] {
        try await ledger.usageHistory(since: since, until: until, groupBy: groupBy)
    }

    /// False while the ledger reports a failed write or failed rows wait for a retry.
    public var isHealthy: Bool { ledger.isHealthy && pending.isEmpty }

    /// Failed writes waiting to be retried.
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
                try await Task.sleep(for: retryInterval)
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
