// One server's share of an event loop: its connections there, a scratch read buffer, a timeout sweep.
import Dispatch
import EventLoops

/// The part of one server that lives on one `EventLoop`: the connections adopted there, the
/// scratch buffer their `recv` calls share, and the periodic timeout sweep. Every source of those
/// connections targets `eventLoop.queue`, so a connection's reads, its handler task (which prefers
/// the loop as its executor), its writes and its timers share one thread. All mutable state is
/// touched only on that queue (hence `@unchecked Sendable`).
final class ServerLoop: @unchecked Sendable {
    let eventLoop: EventLoop
    /// Scratch space for `recv`, shared by this loop's connections (used only on `queue`).
    let readBuffer: UnsafeMutableRawBufferPointer
    private let sweepInterval: Duration
    private var connections: [Int: Connection] = [:]
    private var timer: LoopTimer?

    init(eventLoop: EventLoop, sweepInterval: Duration, readBufferSize: Int = 64 * 1024) {
        self.eventLoop = eventLoop
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBufferSize, alignment: 16)
        self.sweepInterval = sweepInterval
    }

    deinit {
        readBuffer.deallocate()
    }

    var queue: DispatchQueue { eventLoop.queue }

    /// Runs `work` at once when already on the loop (a handler that answered without
    /// suspending), otherwise enqueues it.
    @inline(__always)
    func execute(_ work: @escaping @Sendable () -> Void) {
        eventLoop.execute(work)
    }

    /// Starts the periodic timeout sweep.
    func start() {
        eventLoop.enqueue {
            self.timer = self.eventLoop.scheduleRepeating(every: self.sweepInterval) { self.sweep() }
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
