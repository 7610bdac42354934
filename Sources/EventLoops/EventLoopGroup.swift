// The process's event loops: one per core.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of event loops. Servers spread connections over them; clients open their
/// connections on the caller's loop, so a request, its upstream calls and its relay share one thread.
public final class EventLoopGroup: Sendable {
    /// One loop per online core (at most eight), shared by every server and client in the process.
    public static let shared = EventLoopGroup(count: min(max(onlineCores, 1), 8))

    /// The loops, in index order.
    public let loops: [EventLoop]
    private let cursor = Atomic<Int>(0)

    /// A group of `count` loops with their own queues.
    public init(count: Int, label: String = "threadmeter.loop") {
        precondition(count > 0, "an event loop group needs at least one loop")
        loops = (0..<count).map { EventLoop(index: $0, label: label) }
    }

    /// The next loop, round robin.
    public func next() -> EventLoop {
        loops[cursor.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// The loop the caller runs on when it is one of this group's, else the next one.
    public func currentOrNext() -> EventLoop {
        if let current = EventLoop.current, current.index < loops.count, loops[current.index] === current {
            return current
        }
        return next()
    }

    /// Online processors.
    public static var onlineCores: Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
