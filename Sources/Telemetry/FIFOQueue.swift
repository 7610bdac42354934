// A first-in first-out queue with O(1) amortised append and removal from the front.

/// An array-backed FIFO: removal advances a head index, and the consumed prefix is compacted away
/// once it is more than half the storage, so both ends cost O(1) amortised.
struct FIFOQueue<Element> {
    private var storage: [Element] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    /// Removes and returns up to `maxCount` elements from the front, oldest first.
    mutating func removeFirst(upTo maxCount: Int) -> [Element] {
        let end = head + min(maxCount, count)
        let taken = Array(storage[head..<end])
        head = end
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return taken
    }
}
