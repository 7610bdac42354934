// A ledger that keeps rows in memory; for tests, with a switch that makes writes fail.
import Synchronization

/// An in-memory `UsageLedger`. `failWrites` makes every write throw (a full disk, simulated).
public final class InMemoryLedger: UsageLedger {
    /// The error a failing write throws.
    public struct WriteFailure: Error, CustomStringConvertible {
        public var description: String { "simulated storage failure (InMemoryLedger.failWrites)" }
    }

    private struct State {
        var records: [RunRecord] = []
        var evictions: [(threadId: String, at: Double)] = []
        var failWrites = false
        var healthy = true
        var writeAttempts = 0
    }

    private let state = Mutex(State())
    /// Budget rows (`InMemoryLedger+Budgets.swift`).
    let budgetRows = Mutex<[Budget]>([])
    /// Watched drop-in runs (`InMemoryLedger+Watches.swift`).
    let watchRows = Mutex<[WatchedRun]>([])

    public init(records: [RunRecord] = []) {
        state.withLock { $0.records = records }
    }

    /// When true, every append and eviction write throws `WriteFailure` and stores nothing.
    public var failWrites: Bool {
        get { state.withLock { $0.failWrites } }
        set { state.withLock { $0.failWrites = newValue } }
    }

    /// Rows stored so far, in append order.
    public var records: [RunRecord] { state.withLock { $0.records } }

    /// Evictions stored so far.
    public var evictions: [(threadId: String, at: Double)] { state.withLock { $0.evictions } }

    /// Write calls made (successful or not).
    public var writeAttempts: Int { state.withLock { $0.writeAttempts } }

    public var isHealthy: Bool { state.withLock { $0.healthy } }

    public func append(_ record: RunRecord) async throws {
        try write { $0.records.append(record) }
    }

    public func containsRun(runId: String) async throws -> Bool {
        state.withLock { $0.records.contains { $0.runId == runId } }
    }

    public func append(contentsOf records: [RunRecord]) async throws {
        try write { $0.records.append(contentsOf: records) }
    }

    public func recordEviction(threadIds: [String], at: Double) async throws {
        try write { state in
            state.evictions.append(contentsOf: threadIds.map { (threadId: $0, at: at) })
        }
    }

    public func loadThreads(activeSince: Double) async throws -> [ThreadUsageSnapshot] {
        let (records, evictions) = state.withLock { ($0.records, $0.evictions) }
        return LedgerAggregation.threads(records: records, evictions: evictions, activeSince: activeSince)
    }

    public func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket] {
        LedgerAggregation.history(records: records, since: since, until: until, groupBy: groupBy)
    }

    private func write(_ body: (inout State) -> Void) throws {
        try state.withLock { state in
            state.writeAttempts += 1
            if state.failWrites {
                state.healthy = false
                throw WriteFailure()
            }
            body(&state)
            state.healthy = true
        }
    }
}
