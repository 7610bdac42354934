// Exactly-once accounting of drop-in runs: the first to claim a run id accounts it.
import Metering
import Synchronization

/// Who accounts a drop-in run: its stream, the watcher, or a client's `GET` of it — whichever
/// claims the run id first. A claim is taken in memory at once (so two claims in this process
/// never both win) and then checked against the usage store (so a run recorded before a restart, or
/// by another replica, is not counted again).
final class RunClaims: Sendable {
    private struct State {
        var claimed: Set<String> = []
        var order: [String] = []
        var head = 0
    }

    private let state = Mutex(State())
    private let meter: UsageMeter
    /// Run ids remembered in memory (oldest forgotten first; the store still knows them).
    let capacity: Int

    init(meter: UsageMeter, capacity: Int = 200_000) {
        self.meter = meter
        self.capacity = max(1, capacity)
    }

    /// True when the caller is the one to account `runId`; false when it was (or is being) accounted.
    func claim(_ runId: String) async -> Bool {
        guard takeInMemory(runId) else { return false }
        // A lookup that fails counts as "not recorded": the store's own keying is the last guard.
        let recorded = (try? await meter.hasRecorded(runId: runId)) ?? false
        return !recorded
    }

    /// Whether this process claimed `runId` already.
    func isClaimed(_ runId: String) -> Bool { state.withLock { $0.claimed.contains(runId) } }

    private func takeInMemory(_ runId: String) -> Bool {
        state.withLock { s in
            guard s.claimed.insert(runId).inserted else { return false }
            s.order.append(runId)
            if s.order.count - s.head > capacity {
                s.claimed.remove(s.order[s.head])
                s.head += 1
                if s.head > 4096, s.head * 2 > s.order.count {
                    s.order.removeFirst(s.head)
                    s.head = 0
                }
            }
            return true
        }
    }
}
