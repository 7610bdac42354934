// The ranking index: a treap over (total tokens descending, thread id ascending) threaded through
// `ThreadStore.Entry`, so updating one thread costs O(log n) and listing the top k costs O(log n + k).

extension ThreadStore {
    /// Whether the thread in slot `a` ranks before the one in `b`: more total tokens first, then id.
    @inline(__always)
    func ranksBefore(_ a: Int32, _ b: Int32) -> Bool {
        let ta = entries[Int(a)].totalTokens
        let tb = entries[Int(b)].totalTokens
        if ta != tb { return ta > tb }
        return entries[Int(a)].id < entries[Int(b)].id
    }

    /// Adds `slot` to the index under its current key.
    mutating func rankInsert(_ slot: Int32) {
        entries[Int(slot)].left = Self.none
        entries[Int(slot)].right = Self.none
        rankRoot = insert(slot, into: rankRoot)
    }

    /// Removes `slot` from the index; its key must not have changed since it was inserted.
    mutating func rankRemove(_ slot: Int32) {
        rankRoot = remove(slot, from: rankRoot)
    }

    /// Slots of the first `limit` threads in ranking order.
    func rankTop(_ limit: Int) -> [Int32] {
        var result: [Int32] = []
        guard limit > 0 else { return result }
        result.reserveCapacity(min(limit, slots.count))
        var stack: [Int32] = []
        var node = rankRoot
        while node != Self.none || !stack.isEmpty {
            while node != Self.none {
                stack.append(node)
                node = entries[Int(node)].left
            }
            let next = stack.removeLast()
            result.append(next)
            if result.count == limit { break }
            node = entries[Int(next)].right
        }
        return result
    }

    private mutating func insert(_ x: Int32, into t: Int32) -> Int32 {
        if t == Self.none { return x }
        let i = Int(t)
        if ranksBefore(x, t) {
            let child = insert(x, into: entries[i].left)
            entries[i].left = child
            if priority(child) > priority(t) { return rotateRight(t) }
        } else {
            let child = insert(x, into: entries[i].right)
            entries[i].right = child
            if priority(child) > priority(t) { return rotateLeft(t) }
        }
        return t
    }

    private mutating func remove(_ x: Int32, from t: Int32) -> Int32 {
        if t == x { return merge(entries[Int(t)].left, entries[Int(t)].right) }
        guard t != Self.none else {
            assertionFailure("rank index lost slot \(x)")
            return t
        }
        let i = Int(t)
        if ranksBefore(x, t) {
            entries[i].left = remove(x, from: entries[i].left)
        } else {
            entries[i].right = remove(x, from: entries[i].right)
        }
        return t
    }

    /// Joins two treaps where every node of `a` ranks before every node of `b`.
    private mutating func merge(_ a: Int32, _ b: Int32) -> Int32 {
        if a == Self.none { return b }
        if b == Self.none { return a }
        if priority(a) > priority(b) {
            entries[Int(a)].right = merge(entries[Int(a)].right, b)
            return a
        } else {
            entries[Int(b)].left = merge(a, entries[Int(b)].left)
            return b
        }
    }

    private mutating func rotateRight(_ t: Int32) -> Int32 {
        let l = entries[Int(t)].left
        entries[Int(t)].left = entries[Int(l)].right
        entries[Int(l)].right = t
        return l
    }

    private mutating func rotateLeft(_ t: Int32) -> Int32 {
        let r = entries[Int(t)].right
        entries[Int(t)].right = entries[Int(r)].left
        entries[Int(r)].left = t
        return r
    }
}
