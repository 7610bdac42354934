// What the clients saw for each thread: the usage the service must have recorded for it.

/// The expected tracked usage of one thread, built from the events its client received.
struct ThreadLedgerEntry: Sendable {
    /// Sum of `run_usage` of completed runs plus what failed runs accumulated (`error.token_usage`
    /// minus the run's `thread_info.token_usage`).
    var expected = UsageFigures.zero
    var completedRuns = 0
    var failedRuns = 0
    /// Set when a run was abandoned (timeout, broken connection, end of run): the service then
    /// accumulates usage the client never saw, so the thread cannot be checked exactly.
    var unverifiableReason: String?
    /// Whether the harness created the thread (its first `thread_info` said `new_thread: true`).
    var createdByHarness = false
}

/// Per-thread ledgers, keyed by thread id.
struct ThreadLedger: Sendable {
    private(set) var entries: [String: ThreadLedgerEntry] = [:]
    /// Thread ids that more than one client was handed (the service must never do that).
    private(set) var collisions: [String] = []

    subscript(threadId: String) -> ThreadLedgerEntry {
        get { entries[threadId] ?? ThreadLedgerEntry() }
        set { entries[threadId] = newValue }
    }

    /// Ledgers of different workers never overlap unless the service handed one thread id to two
    /// clients; such ids are added up and listed in `collisions`.
    mutating func merge(_ other: ThreadLedger) {
        collisions += other.collisions
        for (id, entry) in other.entries {
            if var mine = entries[id] {
                collisions.append(id)
                mine.expected += entry.expected
                mine.completedRuns += entry.completedRuns
                mine.failedRuns += entry.failedRuns
                mine.unverifiableReason = mine.unverifiableReason ?? entry.unverifiableReason
                entries[id] = mine
            } else {
                entries[id] = entry
            }
        }
    }

    /// Records that a second client was handed a thread id already in this ledger.
    mutating func noteCollision(_ threadId: String) { collisions.append(threadId) }

    var count: Int { entries.count }

    var total: UsageFigures { entries.values.reduce(.zero) { $0 + $1.expected } }
}
