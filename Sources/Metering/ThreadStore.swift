// Compact storage of tracked threads: one struct per thread in an array, an id → slot dictionary,
// and two intrusive indexes threaded through the same structs (ranking and idle order).

/// The registry's data, kept free of concurrency so the actor around it stays small.
///
/// Layout per tracked thread: one `Entry` (88 bytes) in `entries` plus one dictionary bucket
/// (`String` key + `Int32` slot). The ranking index (a treap ordered by total tokens) and the idle
/// list (ordered by last activity) are links inside `Entry`, so they cost no extra allocation.
/// Freed slots are reused through a free list.
struct ThreadStore {
    /// One tracked thread. `costUSD` is NaN while no run had a known cost.
    struct Entry {
        var id: String
        var account: String?
        var inputTokens: Int
        var outputTokens: Int
        var costUSD: Double
        var lastActivity: Double
        var runs: Int
        var inFlight: Int32
        /// Ranking-index children (`none` when absent).
        var left: Int32
        var right: Int32
        /// Idle-list neighbours: towards older and newer activity. `newer` doubles as the
        /// free-list link of an unused slot.
        var older: Int32
        var newer: Int32

        var totalTokens: Int { inputTokens + outputTokens }
    }

    static let none: Int32 = -1

    var entries: [Entry] = []
    var slots: [String: Int32] = [:]
    var freeHead: Int32 = none
    var rankRoot: Int32 = none
    var idleOldest: Int32 = none
    var idleNewest: Int32 = none

    private(set) var inputTokens = 0
    private(set) var outputTokens = 0
    private var cost = CompensatedSum()

    var count: Int { slots.count }

    var totals: UsageTotals {
        UsageTotals(threads: slots.count, inputTokens: inputTokens, outputTokens: outputTokens, costUSD: slots.isEmpty ? 0 : cost.value)
    }

    func slot(of id: String) -> Int32? { slots[id] }

    // MARK: Creating and removing threads

    /// Starts tracking `id` at zero usage, idle as of `now`.
    mutating func create(_ id: String, now: Double) -> Int32 {
        let entry = Entry(
            id: id, account: nil, inputTokens: 0, outputTokens: 0, costUSD: .nan, lastActivity: now,
            runs: 0, inFlight: 0,
            left: Self.none, right: Self.none, older: Self.none, newer: Self.none
        )
        let slot: Int32
        if freeHead != Self.none {
            slot = freeHead
            freeHead = entries[Int(slot)].newer
            entries[Int(slot)] = entry
        } else {
            slot = Int32(entries.count)
            entries.append(entry)
        }
        slots[id] = slot
        rankInsert(slot)
        idleInsert(slot)
        return slot
    }

    /// Stops tracking the thread in `slot`.
    mutating func remove(_ slot: Int32) {
        let entry = entries[Int(slot)]
        rankRemove(slot)
        if entry.inFlight == 0 { idleUnlink(slot) }
        slots.removeValue(forKey: entry.id)
        inputTokens -= entry.inputTokens
        outputTokens -= entry.outputTokens
        if !entry.costUSD.isNaN { cost.add(-entry.costUSD) }
        if slots.isEmpty { cost.reset() }
        entries[Int(slot)].id = ""
        entries[Int(slot)].account = nil
        entries[Int(slot)].newer = freeHead
        freeHead = slot
    }

    /// Removes the least recently active idle thread if its last activity is before `cutoff`.
    mutating func evictOldest(before cutoff: Double) -> String? {
        let oldest = idleOldest
        guard oldest != Self.none, entries[Int(oldest)].lastActivity < cutoff else { return nil }
        let id = entries[Int(oldest)].id
        remove(oldest)
        return id
    }

    // MARK: Runs

    mutating func beginRun(_ slot: Int32, account: String?, now: Double) {
        let i = Int(slot)
        if let account { entries[i].account = account }
        if entries[i].inFlight == 0 {
            idleUnlink(slot)
        }
        entries[i].inFlight += 1
        entries[i].lastActivity = max(entries[i].lastActivity, now)
    }

    mutating func completeRun(_ slot: Int32, usage: TokenUsage, costUSD: Double?, account: String?, now: Double) {
        let i = Int(slot)
        if usage.inputTokens != 0 || usage.outputTokens != 0 {
            rankRemove(slot)
            entries[i].inputTokens += usage.inputTokens
            entries[i].outputTokens += usage.outputTokens
            rankInsert(slot)
            inputTokens += usage.inputTokens
            outputTokens += usage.outputTokens
        }
        if let costUSD {
            entries[i].costUSD = entries[i].costUSD.isNaN ? costUSD : entries[i].costUSD + costUSD
            cost.add(costUSD)
        }
        if let account { entries[i].account = account }
        entries[i].runs += 1
        endRun(slot, now: now)
    }

    /// Ends one run in flight (if any) and touches the thread.
    mutating func endRun(_ slot: Int32, now: Double) {
        let i = Int(slot)
        let wasIdle = entries[i].inFlight == 0
        if wasIdle { idleUnlink(slot) } else { entries[i].inFlight -= 1 }
        entries[i].lastActivity = max(entries[i].lastActivity, now)
        if entries[i].inFlight == 0 { idleInsert(slot) }
    }

    /// Replaces (or creates) a thread with restored figures; it is idle afterwards.
    mutating func restore(_ snapshot: ThreadUsageSnapshot) {
        if let existing = slots[snapshot.threadId] { remove(existing) }
        let slot = create(snapshot.threadId, now: snapshot.lastActivity)
        completeRestored(slot, snapshot)
    }

    private mutating func completeRestored(_ slot: Int32, _ snapshot: ThreadUsageSnapshot) {
        let i = Int(slot)
        rankRemove(slot)
        entries[i].inputTokens = snapshot.usage.inputTokens
        entries[i].outputTokens = snapshot.usage.outputTokens
        rankInsert(slot)
        inputTokens += snapshot.usage.inputTokens
        outputTokens += snapshot.usage.outputTokens
        if let c = snapshot.costUSD {
            entries[i].costUSD = c
            cost.add(c)
        }
        entries[i].account = snapshot.account
        entries[i].runs = snapshot.runs
    }

    // MARK: Reading

    func snapshot(_ slot: Int32) -> ThreadUsageSnapshot {
        let e = entries[Int(slot)]
        return ThreadUsageSnapshot(
            threadId: e.id,
            usage: TokenUsage(inputTokens: e.inputTokens, outputTokens: e.outputTokens),
            runs: e.runs, lastActivity: e.lastActivity, account: e.account,
            costUSD: e.costUSD.isNaN ? nil : e.costUSD
        )
    }

    /// Treap heap priority of a slot: a hash of the slot number (random-looking, stored nowhere).
    @inline(__always)
    func priority(_ slot: Int32) -> UInt32 {
        var z = UInt64(UInt32(bitPattern: slot)) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: z ^ (z >> 31))
    }
}
