// The idle list: threads with no run in flight, ordered by last activity (oldest first), so an
// eviction sweep touches only the threads it evicts.

extension ThreadStore {
    /// Links `slot` in by its `lastActivity`. Activity is normally "now", so the walk from the
    /// newest end stops at once; an older time (restore, a clock set back) walks further.
    mutating func idleInsert(_ slot: Int32) {
        let time = entries[Int(slot)].lastActivity
        var after = idleNewest
        while after != Self.none, entries[Int(after)].lastActivity > time {
            after = entries[Int(after)].older
        }
        let before = after == Self.none ? idleOldest : entries[Int(after)].newer
        entries[Int(slot)].older = after
        entries[Int(slot)].newer = before
        if after == Self.none { idleOldest = slot } else { entries[Int(after)].newer = slot }
        if before == Self.none { idleNewest = slot } else { entries[Int(before)].older = slot }
    }

    /// Unlinks `slot`, which must be in the list.
    mutating func idleUnlink(_ slot: Int32) {
        let older = entries[Int(slot)].older
        let newer = entries[Int(slot)].newer
        if older == Self.none { idleOldest = newer } else { entries[Int(older)].newer = newer }
        if newer == Self.none { idleNewest = older } else { entries[Int(newer)].older = older }
        entries[Int(slot)].older = Self.none
        entries[Int(slot)].newer = Self.none
    }
}
