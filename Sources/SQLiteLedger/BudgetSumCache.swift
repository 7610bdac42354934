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
