// One serial Dispatch queue that owns a share of the process's I/O and runs tasks that prefer it.
import Dispatch

/// A serial Dispatch queue that every source of a connection targets, and a `TaskExecutor`, so that
/// a handler task started with this loop as its executor preference runs its nonisolated code on
/// the same thread as the connection's reads and writes: no queue or task hop per request or chunk.
///
/// State that belongs to a loop (connections, pools, buffers) is touched only on `queue`; code that
/// is already on the loop runs inline (`execute`), code elsewhere enqueues.
public final class EventLoop: TaskExecutor, @unchecked Sendable {
    /// The queue every Dispatch source of this loop's sockets and timers targets.
    public let queue: DispatchQueue
    /// Position in its group.
    public let index: Int
    private static let identity = DispatchSpecificKey<Unmanaged<EventLoop>>()
    /// The loop's socket poller, made on first use (touched only on `queue`).
    var pollerStorage: SocketPoller?

    /// A loop with its own serial queue.
    public init(index: Int, label: String = "threadmeter.loop") {
        self.index = index
        queue = DispatchQueue(label: "\(label).\(index)")
        queue.setSpecific(key: Self.identity, value: Unmanaged.passUnretained(self))
    }

    /// The loop whose queue the caller runs on, if any.
    public static var current: EventLoop? {
        DispatchQueue.getSpecific(key: identity)?.takeUnretainedValue()
    }

    /// Whether the caller runs on this loop's queue right now.
    public var inEventLoop: Bool {
        DispatchQueue.getSpecific(key: Self.identity)?.toOpaque() == Unmanaged.passUnretained(self).toOpaque()
    }

    /// Runs `work` at once when already on this loop, otherwise enqueues it.
    @inlinable
    public func execute(_ work: @escaping @Sendable () -> Void) {
        if inEventLoop {
            work()
        } else {
            queue.async(execute: work)
        }
    }

    /// Enqueues `work` to run after what is already queued, even when called on the loop
    /// (breaks deep recursion, e.g. answering pipelined requests one after another).
    public func enqueue(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Runs `work` on the loop once after `delay`; the returned timer cancels it.
    @discardableResult
    public func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> LoopTimer {
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + delay.dispatchInterval, leeway: .milliseconds(1))
        let timer = LoopTimer(source: source)
        source.setEventHandler { @Sendable in
            timer.cancel()
            work()
        }
        source.resume()
        return timer
    }

    /// Runs `work` on the loop every `interval` until the returned timer is cancelled.
    public func scheduleRepeating(every interval: Duration, leeway: Duration = .milliseconds(1),
                                  _ work: @escaping @Sendable () -> Void) -> LoopTimer {
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + interval.dispatchInterval, repeating: interval.dispatchInterval, leeway: leeway.dispatchInterval)
        source.setEventHandler { @Sendable in work() }
        source.resume()
        return LoopTimer(source: source)
    }

    // MARK: TaskExecutor

    /// Runs a job of a task that prefers this loop on the loop's queue.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async {
            job.runSynchronously(on: executor)
        }
    }
}

extension Task where Failure == Never {
    /// An unstructured task that prefers the caller's event loop as its executor when the caller
    /// runs on one (unstructured tasks do not inherit an executor preference), else the default.
    @discardableResult
    public static func onCurrentLoop(_ operation: sending @escaping () async -> Success) -> Task<Success, Never> {
        Task(executorPreference: EventLoop.current, operation: operation)
    }
}
