// The metering facade the app calls: pricing over a usage store (local registry + ledger, or shared).
import Synchronization
import Telemetry

/// Prices runs and accounts them in a `UsageStore`: `LocalUsageStore` (in memory over a durable
/// ledger) for one replica, or a store shared by replicas. See the stores for durability and
/// failure behaviour.
public final class UsageMeter: Sendable {
    /// Where runs are accounted.
    public let store: any UsageStore
    private let clock: any MeteringClock
    private let logger: Logger
    private let pricingTable: Mutex<PricingTable>
    private let unknownModels = Mutex<Set<String>>([])
    private let unknownModelRunCount = Atomic<Int>(0)

    /// A meter over a `LocalUsageStore` with a new registry.
    /// - Parameters:
    ///   - maxAgeSeconds: idle age after which threads are evicted (`THREAD_MAX_AGE_SECONDS`).
    ///   - ledger: the durable store.
    ///   - pricing: prices for `estimated_cost_usd` (replace with `reloadPricing`).
    ///   - clock: time source of the registry and of the times recorded for recovery.
    ///   - retryInterval: pause between retries of failed ledger writes.
    ///   - maxPendingWrites: bound of the retry queue.
    ///   - timerClock: what the retry loop sleeps on (tests pass a clock they advance).
    ///   - evictionBatchSize: most evictions between two yields of the registry during a sweep.
    public convenience init(
        maxAgeSeconds: Double,
        ledger: any UsageLedger,
        pricing: PricingTable = .builtIn,
        clock: any MeteringClock = SystemClock(),
        logger: Logger = .noop,
        retryInterval: Duration = .seconds(1),
        maxPendingWrites: Int = 100_000,
        timerClock: any Clock<Duration> = ContinuousClock(),
        evictionBatchSize: Int = 4_096
    ) {
        let store = LocalUsageStore(
            registry: ThreadRegistry(maxAgeSeconds: maxAgeSeconds, clock: clock, evictionBatchSize: evictionBatchSize),
            ledger: ledger, clock: clock, logger: logger,
            retryInterval: retryInterval, maxPendingWrites: maxPendingWrites, timerClock: timerClock
        )
        self.init(store: store, pricing: pricing, clock: clock, logger: logger)
    }

    /// A meter over a `LocalUsageStore` with an existing registry. Give the registry the same
    /// `clock`: recovery compares the registry's activity times with the times the meter records.
    public convenience init(
        registry: ThreadRegistry,
        ledger: any UsageLedger,
        pricing: PricingTable = .builtIn,
        clock: any MeteringClock = SystemClock(),
        logger: Logger = .noop,
        retryInterval: Duration = .seconds(1),
        maxPendingWrites: Int = 100_000
    ) {
        let store = LocalUsageStore(
            registry: registry, ledger: ledger, clock: clock,
            logger: logger, retryInterval: retryInterval, maxPendingWrites: maxPendingWrites
        )
        self.init(store: store, pricing: pricing, clock: clock, logger: logger)
    }

    /// A meter over any store (the PostgreSQL store of several replicas).
    public init(store: any UsageStore, pricing: PricingTable = .builtIn, clock: any MeteringClock = SystemClock(), logger: Logger = .noop) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.pricingTable = Mutex(pricing)
    }

    /// The local store's registry (nil for a shared store; for tests and benchmarks).
    public var registry: ThreadRegistry? { (store as? LocalUsageStore)?.registry }

    /// Budgets and their use, read from the store (contract §9).
    public var budgets: BudgetBook { BudgetBook(store: store) }

    /// `sqlite` or `postgres` (`/health`'s `storage_backend`).
    public var backendName: String { store.backendName }

    // MARK: Runs

    /// A run starts: the thread is tracked (at zero if new) and cannot be evicted until the run
    /// finishes or aborts. Returns the usage accumulated before this run (for `thread_info`).
    public func beginRun(threadId: String, account: String?) async -> ThreadUsageSnapshot {
        await store.beginRun(threadId: threadId, account: account)
    }

    /// A run ended (successfully or not): prices it, then the store records it durably and adds it
    /// to the thread. The one place a run is settled: cost → ledger → totals.
    ///
    /// Fills `costUSD` from the pricing table when it is `nil` and the run counts (it stays `nil` for
    /// an unknown model, which is counted and logged as a warning) and stamps `recordedAt` with the
    /// meter's clock. A failed write is reported in `storageFailure` (whose snapshot carries the new
    /// totals); the store keeps the row and writes it when it can.
    public func settle(_ record: RunRecord) async -> RunSettlement {
        let record = prepare(record)
        do {
            return RunSettlement(record: record, thread: try await store.record(record))
        } catch {
            let thread = error.snapshot
                ?? ThreadUsageSnapshot(threadId: record.threadId, usage: .zero, runs: 0, lastActivity: record.accountedAt, account: record.account)
            return RunSettlement(record: record, thread: thread, storageFailure: error)
        }
    }

    /// `settle`, returning the thread's new totals.
    /// - Throws: `StorageError` when the row could not be stored; the run is counted anyway and the
    ///   error carries the new totals.
    public func finishRun(_ record: RunRecord) async throws(StorageError) -> ThreadUsageSnapshot {
        let settlement = await settle(record)
        if let failure = settlement.storageFailure { throw failure }
        return settlement.thread
    }

    /// Whether the run with this id was recorded already (the drop-in surfaces' exactly-once check).
    public func hasRecorded(runId: String) async throws -> Bool {
        try await store.hasRecorded(runId: runId)
    }

    /// A run ended without usage to account (it never reached the upstream).
    public func abortRun(threadId: String) async {
        await store.abortRun(threadId: threadId)
    }

    /// Whether a new run may start (false while a shared store is unreachable: refuse with
    /// `storage_error` before calling the upstream).
    public var acceptsRuns: Bool { store.acceptsRuns }

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

    public func snapshot(threadId: String) async throws -> ThreadUsageSnapshot? {
        try await store.snapshot(threadId: threadId)
    }

    /// Totals as of the latest recorded change, without waiting (for `/health`).
    public var latestTotals: UsageTotals { store.latestTotals }

    public func totals() async throws -> UsageTotals {
        try await store.totals()
    }

    /// Totals and the top `limit` threads from the same instant (for `/stats`).
    public func overview(limit: Int) async throws -> (totals: UsageTotals, top: [ThreadUsageSnapshot]) {
        try await store.overview(limit: limit)
    }

    /// Up to `limit` threads by total tokens, descending.
    public func top(limit: Int) async throws -> [ThreadUsageSnapshot] {
        try await store.overview(limit: limit).top
    }

    /// Ledger history over [since, until), grouped by account, model or UTC day.
    public func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket] {
        try await store.usageHistory(since: since, until: until, groupBy: groupBy)
    }

    /// False while the store reports a failed write or rows wait for a retry.
    public var isHealthy: Bool { store.isHealthy }

    /// Failed writes waiting to be retried.
    public var pendingWrites: Int { store.pendingWrites }

    /// Failed writes that did not fit the local retry queue (logged, then dropped).
    public var droppedWrites: Int { (store as? LocalUsageStore)?.droppedWrites ?? 0 }

    // MARK: Eviction and recovery

    /// Evicts idle threads (recorded durably); returns the evicted ids.
    public func evictIdle() async -> [String] {
        await store.evictIdle()
    }

    /// Rebuilds or reconnects the store's state. Call once at startup, before serving.
    public func recover() async throws {
        try await store.recover()
    }
}
