// A thin wrapper over epoll(7): level-triggered interest per socket, a 64-bit token per registration.
import CEpoll
import Glibc

/// Readiness interest of one socket.
struct PollInterest: OptionSet {
    let rawValue: UInt32
    static let readable = PollInterest(rawValue: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
    static let writable = PollInterest(rawValue: EPOLLOUT.rawValue)
    /// Nothing but errors and hang-ups (which epoll always reports).
    static let none: PollInterest = []
}

/// One readiness notification.
struct PollEvent {
    var token: UInt64
    var readable: Bool
    var writable: Bool
    /// Error or hang-up: the next read or write tells which.
    var failed: Bool
}

/// Owns one epoll instance; used from one thread.
final class Poller {
    private let epfd: Int32
    private var events: [epoll_event]

    init(capacity: Int = 1024) throws(HarnessError) {
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw HarnessError.system("epoll_create1", errno) }
        events = Array(repeating: epoll_event(), count: capacity)
    }

    deinit { close(epfd) }

    func add(_ fd: Int32, _ interest: PollInterest, token: UInt64) {
        control(EPOLL_CTL_ADD, fd, interest, token)
    }

    func modify(_ fd: Int32, _ interest: PollInterest, token: UInt64) {
        control(EPOLL_CTL_MOD, fd, interest, token)
    }

    /// Unregisters before close (closing alone would do, but an fd shared by dup would linger).
    func remove(_ fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &event)
    }

    private func control(_ op: Int32, _ fd: Int32, _ interest: PollInterest, _ token: UInt64) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        if epoll_ctl(epfd, op, fd, &event) != 0 {
            // Only EBADF/ENOENT/EEXIST can happen here, all programming errors in the harness.
            fatalError("epoll_ctl(\(op), fd \(fd)) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Waits up to `timeoutMillis` (−1 forever) and calls `handle` for each ready socket.
    func wait(timeoutMillis: Int32, _ handle: (PollEvent) -> Void) {
        let n = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(epfd, buffer.baseAddress, Int32(buffer.count), timeoutMillis)
        }
        guard n > 0 else { return }
        for i in 0..<Int(n) {
            let raw = events[i]
            let flags = raw.events
            handle(PollEvent(
                token: raw.data.u64,
                readable: flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0,
                writable: flags & EPOLLOUT.rawValue != 0,
                failed: flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
            ))
        }
    }
}
