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
    /// Whether a turn (`runTurn`) is running; touched only on `queue`.
    private var inTurn = false
    /// Work enqueued on the loop during the running turn, run before the turn ends (only on `queue`).
    private var deferred: [DeferredWork] = []

    /// Most deferred items one turn runs; the rest go to `queue` in order (a task that keeps
    /// yielding cannot hold the loop).
    public static let maxDeferredPerTurn = 256

    private enum DeferredWork {
        case block(@Sendable () -> Void)
        case job(UnownedJob)
    }

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

    /// Enqueues `work` to run after the current work, even when called on the loop (breaks deep
    /// recursion, e.g. answering pipelined requests one after another). On the loop during a turn
    /// (`runTurn`) it runs at the end of that turn, else after what is already on `queue`.
    public func enqueue(_ work: @escaping @Sendable () -> Void) {
        if inEventLoop, inTurn {
            deferred.append(.block(work))
        } else {
            queue.async(execute: work)
        }
    }

    /// Runs `body` on the loop, then, before returning, the work it enqueued on the loop: `enqueue(_:)`
    /// blocks and the jobs of tasks that prefer this loop, in order, including what those enqueue
    /// (at most `maxDeferredPerTurn`; the rest go to `queue`). The socket poller runs each batch
    /// of readiness events as a turn.
    ///
    /// Why: Dispatch re-arms the poller's source (an `eventfd` write waking its manager thread, which
    /// preempts the loop's thread on a busy core) when the source's handler returns. Work left on
    /// `queue` runs after that; work run here — the handler task resumed by a response, its
    /// upstream request, the flush of its client's stream — goes out before it.
    public func runTurn(_ body: () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !inTurn else { return body() }
        inTurn = true
        body()
        var next = 0
        while next < deferred.count, next < Self.maxDeferredPerTurn {
            let work = deferred[next]
            next += 1
            switch work {
            case .block(let block): block()
            case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        inTurn = false
        if next < deferred.count {
            let executor = asUnownedTaskExecutor()
            for work in deferred[next...] {
                switch work {
                case .block(let block): queue.async(execute: block)
                case .job(let job): queue.async { job.runSynchronously(on: executor) }
                }
            }
        }
        deferred.removeAll(keepingCapacity: deferred.count <= 64)
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

    /// Runs a job of a task that prefers this loop on the loop's queue (at the end of the running
    /// turn when enqueued on the loop during one, see `runTurn`).
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inEventLoop, inTurn {
            deferred.append(.job(job))
            return
        }
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
