// Sums of budget use kept per window and extended by the rows appended since: exact, and cheap for busy scopes.
import Metering
import Synchronization

/// The last sum of an `.all` or `.account` budget query, with the highest row id it covered.
///
/// `llm_calls` rows are never updated or deleted, and with one writer a row committed later always
/// has a higher id than every row visible before it. So the sum of a window over the rows with
/// id ≤ `mark`, plus the sum over the rows with `mark` < id ≤ the current highest id (read in one
/// read transaction), is exactly the sum over every row: the same figure as a full scan, but reading
/// only the rows appended since. Nothing here can admit a run the ledger's full sum would refuse.
final class BudgetSumCache: Sendable {
    struct Key: Hashable, Sendable {
        var runs: BudgetUseQuery.Runs
        var since: Double?
    }

    struct Entry: Sendable {
        var mark: Int64
        var use: BudgetUse
    }

    /// Rows after the mark above which a full (indexed) sum is cheaper than scanning them.
    static let maxDelta: Int64 = 50_000
    /// Entries kept before the cache starts over.
    static let capacity = 10_000

    private let entries = Mutex<[Key: Entry]>([:])

    /// Whether the query's sums are cached (the global and account scopes; a thread's rows are few).
    static func caches(_ runs: BudgetUseQuery.Runs) -> Bool {
        switch runs {
        case .all, .account: true
        case .thread, .threadsWithoutBudget, .accountsWithoutBudget: false
        }
    }

    func entry(_ key: Key) -> Entry? { entries.withLock { $0[key] } }

    func store(_ key: Key, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= Self.capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
    }
}

extension BudgetUseQuery.Runs: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .thread(let id): hasher.combine(0); hasher.combine(id)
        case .account(let name): hasher.combine(1); hasher.combine(name)
        case .threadsWithoutBudget: hasher.combine(2)
        case .accountsWithoutBudget: hasher.combine(3)
        case .all: hasher.combine(4)
        }
    }
}

/// The budget rows of a ledger, kept in memory: a SQLite ledger belongs to one process and every
/// budget write goes through it, so the copy is replaced after each write. A check on a service
/// without budgets then reads nothing. A generation counter keeps a read that raced a write from
/// storing rows older than the write.
final class BudgetRowCache: Sendable {
    private struct State {
        var rows: [Budget]?
        var generation = 0
    }

    private let state = Mutex(State())

    /// The cached rows, or nil with the generation to pass to `store` after reading them.
    func rows() -> (rows: [Budget]?, generation: Int) {
        state.withLock { ($0.rows, $0.generation) }
    }

    /// Keeps rows read at `generation`, unless a write happened since.
    func store(_ rows: [Budget], readAt generation: Int) {
        state.withLock { if $0.generation == generation { $0.rows = rows } }
    }

    /// A budget was written: the next read goes to the database.
    func invalidate() {
        state.withLock {
            $0.rows = nil
            $0.generation += 1
        }
    }
}
