// Readiness of a loop's sockets: one epoll set per loop, watched by one Dispatch read source.
import CEpoll
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// What a registered socket is told.
public protocol PollHandler: AnyObject {
    /// The socket is readable, or the peer hung up or errored (the next `recv` says which).
    func socketReadable()
    /// The socket is writable (only delivered while write interest is on), or errored.
    func socketWritable()
}

/// A registration's interest.
public struct PollInterest: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readable = PollInterest(rawValue: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
    public static let writable = PollInterest(rawValue: EPOLLOUT.rawValue)
    /// Only errors and hang-ups (which epoll always reports).
    public static let none: PollInterest = []
}

/// The sockets of one event loop in one level-triggered epoll set, whose descriptor is watched by a
/// single Dispatch read source on the loop's queue. When it fires, one `epoll_wait` (no timeout)
/// collects every ready socket and their handlers run in turn on the loop: one Dispatch wake per
/// batch of ready sockets, not one per socket, and interest changes are single `epoll_ctl` calls.
/// Each batch is one turn of the loop (`EventLoop.runTurn`): what the handlers enqueue on the loop
/// (resumed tasks, flushes) runs before the source's handler returns and Dispatch re-arms it.
/// Used only on its loop's queue (hence `@unchecked Sendable`).
public final class SocketPoller: @unchecked Sendable {
    private struct Registration {
        let handler: PollHandler
        let fd: Int32
        var interest: PollInterest
    }

    private let loop: EventLoop
    private let epfd: Int32
    private var source: (any DispatchSourceRead)?
    private var registrations: [UInt64: Registration] = [:]
    private var nextToken: UInt64 = 1
    private var events: UnsafeMutableBufferPointer<epoll_event>

    init(loop: EventLoop, capacity: Int = 256) {
        self.loop = loop
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epfd >= 0, "epoll_create1 failed: errno \(errno)")
        events = .allocate(capacity: capacity)
        events.initialize(repeating: epoll_event())
    }

    deinit {
        source?.cancel()
        close(epfd)
        events.deallocate()
    }

    /// Number of registered sockets.
    public var count: Int { registrations.count }

    /// Starts watching `fd` for `interest`; returns the token that names this registration.
    /// Call on the loop.
    public func register(_ fd: Int32, interest: PollInterest, handler: PollHandler) -> UInt64 {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        if source == nil { startSource() }
        let token = nextToken
        nextToken &+= 1
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        if !interest.isEmpty, epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) != 0 {
            preconditionFailure("epoll_ctl(ADD, fd \(fd)) failed: errno \(errno)")
        }
        registrations[token] = Registration(handler: handler, fd: fd, interest: interest)
        return token
    }

    /// Changes the interest of a registration (no system call when it is unchanged). With no
    /// interest the socket leaves the epoll set (like a suspended Dispatch source: not even a
    /// hang-up is reported) until interest returns.
    public func update(_ token: UInt64, interest: PollInterest) {
        guard var registration = registrations[token], registration.interest != interest else { return }
        let op: Int32
        switch (registration.interest.isEmpty, interest.isEmpty) {
        case (true, false): op = EPOLL_CTL_ADD
        case (false, true): op = EPOLL_CTL_DEL
        default: op = EPOLL_CTL_MOD
        }
        registration.interest = interest
        registrations[token] = registration
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        _ = epoll_ctl(epfd, op, registration.fd, &event)
    }

    /// Stops watching; call before closing the descriptor. Events already collected for this
    /// registration are dropped.
    public func deregister(_ token: UInt64) {
        guard let registration = registrations.removeValue(forKey: token) else { return }
        guard !registration.interest.isEmpty else { return }
        var event = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, registration.fd, &event)
    }

    private func startSource() {
        let source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: loop.queue)
        source.setEventHandler { @Sendable [unowned self] in self.loop.runTurn { self.drain() } }
        source.resume()
        self.source = source
    }

    /// Runs the handlers of every ready socket; repeats while a batch filled the buffer.
    private func drain() {
        while true {
            let n = Int(epoll_wait(epfd, events.baseAddress, Int32(events.count), 0))
            guard n > 0 else { return }
            for i in 0..<n {
                let flags = events[i].events
                let token = events[i].data.u64
                let failed = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
                if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 || failed,
                   let registration = registrations[token], registration.interest.contains(.readable) {
                    registration.handler.socketReadable()
                }
                // Looked up again: the read handler may have closed the socket or changed interest.
                if flags & EPOLLOUT.rawValue != 0 || failed, let registration = registrations[token],
                   registration.interest.contains(.writable) {
                    registration.handler.socketWritable()
                }
            }
            if n < events.count { return }
        }
    }
}

extension EventLoop {
    /// This loop's socket poller (created on first use; use it on the loop only).
    public var poller: SocketPoller {
        if let poller = pollerStorage { return poller }
        let poller = SocketPoller(loop: self)
        pollerStorage = poller
        return poller
    }
}
