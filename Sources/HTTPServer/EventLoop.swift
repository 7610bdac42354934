// A serial queue that owns a share of the connections, a scratch read buffer and a timeout sweep.
import Dispatch

/// A serial queue (targeting one of the process-wide `SharedQueues.loops`) that owns a share of
/// one server's connections; threads do not grow with connections or servers. All mutable state
/// is touched only on `queue` (hence `@unchecked Sendable`).
final class EventLoop: @unchecked Sendable {
    let queue: DispatchQueue
    /// Scratch space for `recv`, shared by this loop's connections (used only on `queue`).
    let readBuffer: UnsafeMutableRawBufferPointer
    private let sweepInterval: Duration
    private static let identity = DispatchSpecificKey<ObjectIdentifier>()
    private var connections: [Int: Connection] = [:]
    private var timer: DispatchSourceTimer?

    init(index: Int, sweepInterval: Duration, readBufferSize: Int = 64 * 1024) {
        queue = DispatchQueue(label: "threadmeter.http.loop.\(index)", target: SharedQueues.loops[index % SharedQueues.loops.count])
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 16)
        self.sweepInterval = sweepInterval
        queue.setSpecific(key: Self.identity, value: ObjectIdentifier(self))
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Whether the caller runs on this loop's queue right now.
    var isCurrent: Bool {
        DispatchQueue.getSpecific(key: Self.identity) == ObjectIdentifier(self)
    }

    /// Runs `work` at once when already on the queue (a handler that answered without
    /// suspending), otherwise enqueues it.
    func execute(_ work: @escaping @Sendable () -> Void) {
        if isCurrent {
            work()
        } else {
            queue.async(execute: work)
        }
    }

    /// Starts the periodic timeout sweep.
    func start() {
        queue.async {
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            let interval = DispatchTimeInterval.nanoseconds(Int(self.sweepInterval / .nanoseconds(1)))
            timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(1))
            timer.setEventHandler { @Sendable in self.sweep() }
            timer.resume()
            self.timer = timer
        }
    }

    /// Adopts a connection (on `queue`).
    func register(_ connection: Connection) {
        dispatchPrecondition(condition: .onQueue(queue))
        connections[connection.id] = connection
        connection.start()
    }

    func unregister(_ id: Int) {
        connections[id] = nil
    }

    private func sweep() {
        let now = ContinuousClock.now
        for connection in connections.values {
            connection.tick(now: now)
        }
    }

    /// Closes idle connections; the others finish their current request first.
    func beginShutdown() {
        for connection in connections.values {
            connection.beginShutdown()
        }
    }

    /// Closes every connection now.
    func closeAll() {
        for connection in connections.values {
            connection.forceClose()
        }
    }

    /// Stops the sweep timer (after shutdown).
    func stop() {
        timer?.cancel()
        timer = nil
    }
}
