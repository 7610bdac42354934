// State shared between the event-loop workers, the samplers and the main thread.
import Synchronization

/// Live counters read by the progress line and the samplers; workers own everything else.
final class RunControl: Sendable {
    /// Monotonic start of the run (ns).
    let startNanos: UInt64
    let openStreams = Atomic<Int>(0)
    let peakOpenStreams = Atomic<Int>(0)
    let completedQueries = Atomic<Int>(0)
    let failedQueries = Atomic<Int>(0)
    /// Set by the main thread to make workers abandon what is in flight and return.
    let abort = Atomic<Bool>(false)

    init(startNanos: UInt64) {
        self.startNanos = startNanos
    }

    func streamOpened() {
        let now = openStreams.wrappingAdd(1, ordering: .relaxed).newValue
        var peak = peakOpenStreams.load(ordering: .relaxed)
        while now > peak {
            let (exchanged, original) = peakOpenStreams.compareExchange(expected: peak, desired: now, ordering: .relaxed)
            if exchanged { break }
            peak = original
        }
    }

    func streamClosed() {
        openStreams.wrappingSubtract(1, ordering: .relaxed)
    }
}
