// The in-memory registry of tracked threads: per-thread usage, totals, ranking and idle eviction.

import Synchronization

/// Tracks token usage per thread. All mutation goes through this actor, so recording a run and
/// reading the thread's new totals happen in one step.
///
/// Costs: `beginRun`/`completeRun`/`abortRun` are O(log n) (a ranking-index update); `totals()` is
/// O(1) (kept incrementally); `top(limit:)` is O(log n + limit); `evictIdle()` is O(k log n) for k
/// evicted threads and works in slices — at most `evictionBatchSize` evictions or
/// `evictionSliceDuration`, whichever comes first — yielding the actor between slices, so other
/// callers wait at most about one slice during a large sweep.
public actor ThreadRegistry {
    /// Idle age (seconds) after which `evictIdle()` removes a thread.
    public nonisolated let maxAgeSeconds: Double
    /// Most threads evicted between two yields of the actor during a sweep.
    public nonisolated let evictionBatchSize: Int
    /// Longest time a sweep holds the actor before yielding to other callers.
    public nonisolated let evictionSliceDuration: Duration
    private let clock: any MeteringClock
    private var store = ThreadStore()
    /// The totals after the latest mutation, readable without a hop onto the actor.
    private nonisolated let published = PublishedTotals()

    /// Totals as of the latest completed mutation, read without waiting for the actor (for `/health`,
    /// polled often). Every mutation publishes before it returns, so this equals what `totals()` would
    /// answer at that moment.
    public nonisolated var latestTotals: UsageTotals { published.value }

    private func publish() { published.value = store.totals }

    /// - Parameters:
    ///   - maxAgeSeconds: idle age after which a thread is evicted (`THREAD_MAX_AGE_SECONDS`).
    ///   - clock: time source for `lastActivity` and eviction.
    ///   - evictionBatchSize: most evictions per slice before yielding to other callers.
    ///   - evictionSliceDuration: longest time per slice before yielding (measured on a real clock).
    public init(maxAgeSeconds: Double, clock: any MeteringClock, evictionBatchSize: Int = 4_096, evictionSliceDuration: Duration = .milliseconds(1)) {
        self.maxAgeSeconds = maxAgeSeconds
        self.clock = clock
        self.evictionBatchSize = max(1, evictionBatchSize)
        self.evictionSliceDuration = evictionSliceDuration
    }

    /// Number of tracked threads.
    public var count: Int { store.count }

    /// Marks a run as started: tracks the thread at zero if it is new, counts one more run in flight
    /// (a thread in flight is never evicted), touches `lastActivity`, and returns the usage so far.
    @discardableResult
    public func beginRun(threadId: String, account: String? = nil) -> ThreadUsageSnapshot {
        let now = clock.now()
        let slot = store.slot(of: threadId) ?? store.create(threadId, now: now)
        store.beginRun(slot, account: account, now: now)
        publish()
        return store.snapshot(slot)
    }

    /// Accumulates a finished run's usage and returns the thread's new totals in the same step.
    ///
    /// Counts one run, ends one run in flight (if any), records the account when given, and touches
    /// `lastActivity` (with `at`, or the clock's time). Only input and output tokens accumulate.
    @discardableResult
    public func completeRun(threadId: String, usage: TokenUsage, costUSD: Double? = nil, account: String? = nil, at time: Double? = nil) -> ThreadUsageSnapshot {
        let now = time ?? clock.now()
        let slot = store.slot(of: threadId) ?? store.create(threadId, now: now)
        store.completeRun(slot, usage: usage, costUSD: costUSD, account: account, now: now)
        publish()
        return store.snapshot(slot)
    }

    /// Ends one run in flight without usage (the run never produced any), touching `lastActivity`.
    /// Does nothing for an untracked thread.
    public func abortRun(threadId: String) {
        guard let slot = store.slot(of: threadId) else { return }
        store.endRun(slot, now: clock.now())
    }

    /// The thread's figures, or `nil` when it is not tracked.
    public func snapshot(threadId: String) -> ThreadUsageSnapshot? {
        store.slot(of: threadId).map { store.snapshot($0) }
    }

    /// Totals over every tracked thread (O(1)).
    public func totals() -> UsageTotals { store.totals }

    /// Up to `limit` threads by total tokens, descending; ties by thread id, ascending.
    public func top(limit: Int) -> [ThreadUsageSnapshot] {
        store.rankTop(limit).map { store.snapshot($0) }
    }

    /// Totals and the top `limit` threads from the same instant, in one call (what `/stats` shows).
    public func overview(limit: Int) -> (totals: UsageTotals, top: [ThreadUsageSnapshot]) {
        (store.totals, top(limit: limit))
    }

    /// Removes threads idle for longer than `maxAgeSeconds` (last activity before now − max age)
    /// that have no run in flight, and returns their ids.
    public func evictIdle() async -> [String] {
        await evictIdle(asOf: clock.now())
    }

    /// `evictIdle()` as of the given time; the meter passes the time it also records in the ledger.
    public func evictIdle(asOf now: Double) async -> [String] {
        let cutoff = now - maxAgeSeconds
        let elapsed = ContinuousClock()
        var evicted: [String] = []
        while true {
            let sliceEnd = elapsed.now.advanced(by: evictionSliceDuration)
            var batch = 0
            var exhausted = false
            while batch < evictionBatchSize {
                guard let id = store.evictOldest(before: cutoff) else {
                    exhausted = true
                    break
                }
                evicted.append(id)
                batch += 1
                if batch & 31 == 0, elapsed.now >= sliceEnd { break }
            }
            publish()
            if exhausted { break }
            // Let queued callers (`/stats`, runs) in between slices.
            await Task.yield()
        }
        return evicted
    }

    /// Loads recovered threads (replacing any tracked thread with the same id); they are idle.
    public func restore(_ snapshots: [ThreadUsageSnapshot]) {
        for snapshot in snapshots.sorted(by: { $0.lastActivity < $1.lastActivity }) {
            store.restore(snapshot)
        }
        publish()
    }
}

/// A lock-protected copy of the registry's totals.
final class PublishedTotals: Sendable {
    private let storage = Mutex(UsageTotals(threads: 0, inputTokens: 0, outputTokens: 0, costUSD: 0))
    var value: UsageTotals {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
