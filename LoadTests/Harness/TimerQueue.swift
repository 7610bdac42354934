// A binary min-heap of deadlines for one worker.

/// What a timer does when it fires.
enum TimerAction: Equatable {
    /// Start the client's next query.
    case startQuery
    /// Give up on the query with this sequence number if it is still running.
    case queryTimeout(sequence: Int)
    /// Resume reading (slow readers) on the connection with this generation.
    case resumeReading(connection: UInt32)
}

/// A pending timer.
struct TimerEntry {
    var deadline: UInt64
    var client: Int
    var action: TimerAction
}

/// Deadline-ordered timers; cancelled timers are left in place and ignored when they fire.
struct TimerQueue {
    private var heap: [TimerEntry] = []

    var isEmpty: Bool { heap.isEmpty }
    var nextDeadline: UInt64? { heap.first?.deadline }

    mutating func schedule(_ entry: TimerEntry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    mutating func popDue(now: UInt64) -> TimerEntry? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
                if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
