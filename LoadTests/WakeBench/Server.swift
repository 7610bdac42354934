// The three servers of wake-bench. Each does the same work per readable event (`Connection.readable`):
// one recv (again only while it fills the buffer), then for every complete request a fixed answer
// appended to one output buffer, sent with one send.
import CEpoll
import Dispatch
import EventLoops
import Glibc

enum Wire {
    /// Ping-pong: the client sends 63 bytes and '\n'; the answer is 63 bytes and '\n'.
    static let pingSize = 64
    static let pong: [UInt8] = Array(repeating: UInt8(ascii: "p"), count: pingSize - 1) + [UInt8(ascii: "\n")]
    static let ping: [UInt8] = Array(repeating: UInt8(ascii: "q"), count: pingSize - 1) + [UInt8(ascii: "\n")]
    /// Any request starting with "GET " is HTTP: it ends at CRLF CRLF and gets this keep-alive answer.
    static let httpResponse: [UInt8] = Array(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\nConnection: keep-alive\r\n\r\n{\"status\":\"healthy\"}".utf8)
    static let httpRequest: [UInt8] = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    /// "STATS\n" is answered with the server's getrusage (all threads, exited ones included):
    /// "STATS <user µs> <system µs> <voluntary switches> <involuntary switches> <blocked writes>\n".
    static let statsRequest: [UInt8] = Array("STATS\n".utf8)
}

/// Process-wide counters, touched only from the server's one queue or thread.
final class ServerCounters: @unchecked Sendable {
    static let shared = ServerCounters()
    var blockedWrites = 0
}

/// One accepted connection's buffers and request framing. Used from one queue or thread at a time.
final class Connection: @unchecked Sendable {
    static let capacity = 64 * 1024
    let fd: Int32
    private let input = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    private var used = 0
    private let output = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    private var pending = 0

    init(fd: Int32) { self.fd = fd }

    deinit {
        input.deallocate()
        output.deallocate()
    }

    func close() { _ = Glibc.close(fd) }

    /// Handles one readiness event; false when the peer closed or the socket failed.
    func readable() -> Bool {
        while true {
            let room = Connection.capacity - used
            let n = recv(fd, input + used, room, 0)
            if n == 0 { return false }
            if n < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR }
            used += n
            answerCompleteRequests()
            flush()
            if n < room { return true }  // drained: level-triggered readiness brings the rest
        }
    }

    private func answerCompleteRequests() {
        var start = 0
        var i = 0
        while i < used {
            if input[start] == UInt8(ascii: "G") {
                // HTTP: up to CRLF CRLF.
                if i >= start + 3, input[i] == 10, input[i - 1] == 13, input[i - 2] == 10, input[i - 3] == 13 {
                    append(Wire.httpResponse)
                    start = i + 1
                }
            } else if input[i] == 10 {
                if input[start] == UInt8(ascii: "S") { appendStats() } else { append(Wire.pong) }
                start = i + 1
            }
            i += 1
        }
        if start > 0 {
            used -= start
            if used > 0 { memmove(input, input + start, used) }
        }
    }

    private func append(_ bytes: [UInt8]) {
        if pending + bytes.count > Connection.capacity { flush() }
        bytes.withUnsafeBytes { (output + pending).update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: bytes.count) }
        pending += bytes.count
    }

    private func appendStats() {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Int(usage.ru_utime.tv_sec) * 1_000_000 + Int(usage.ru_utime.tv_usec)
        let system = Int(usage.ru_stime.tv_sec) * 1_000_000 + Int(usage.ru_stime.tv_usec)
        append(Array("STATS \(user) \(system) \(usage.ru_nvcsw) \(usage.ru_nivcsw) \(ServerCounters.shared.blockedWrites)\n".utf8))
    }

    /// Sends the output. A full socket buffer would block the loop in poll(2): it cannot happen with
    /// these sizes and one request in flight per connection, and is counted (STATS) if it does.
    private func flush() {
        var sent = 0
        while sent < pending {
            let n = send(fd, output + sent, pending - sent, Int32(MSG_NOSIGNAL))
            if n > 0 { sent += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                ServerCounters.shared.blockedWrites += 1
                var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&waiting, 1, 1000)
                continue
            }
            if n < 0 && errno == EINTR { continue }
            break  // the peer went away; the next recv says so
        }
        pending = 0
    }
}

// MARK: 1. one DispatchSourceRead per socket on one serial queue

final class DispatchSourceServer: @unchecked Sendable {
    private let queue = DispatchQueue(label: "wake-bench.dispatch-source")
    private let listener: Int32
    private var listenSource: (any DispatchSourceRead)?

    init(listener: Int32) { self.listener = listener }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: listener, queue: queue)
        source.setEventHandler { @Sendable [self] in acceptAll() }
        source.resume()
        listenSource = source
    }

    private func acceptAll() {
        while let fd = Sys.acceptOne(listener) {
            let connection = SourcedConnection(connection: Connection(fd: fd))
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            connection.source = source
            source.setEventHandler { @Sendable [connection] in
                if !connection.connection.readable() { connection.source?.cancel() }
            }
            // The cancel handler closes the descriptor and breaks the connection → source → handler cycle.
            source.setCancelHandler { @Sendable [connection] in
                connection.connection.close()
                connection.source = nil
            }
            source.resume()
        }
    }
}

/// A connection and its read source (touched only on the server's queue).
final class SourcedConnection: @unchecked Sendable {
    let connection: Connection
    var source: (any DispatchSourceRead)?
    init(connection: Connection) { self.connection = connection }
}

// MARK: 2. EventLoops' SocketPoller: one epoll set, one DispatchSourceRead on it, drained on the loop's queue

final class PollerServer: @unchecked Sendable {
    private let loop = EventLoop(index: 0, label: "wake-bench.poller")
    private let listener: Int32

    init(listener: Int32) { self.listener = listener }

    func start() {
        loop.queue.async { [self] in
            _ = loop.poller.register(listener, interest: .readable, handler: Acceptor(poller: loop.poller, listener: listener))
        }
    }

    private final class Acceptor: PollHandler {
        let poller: SocketPoller
        let listener: Int32
        init(poller: SocketPoller, listener: Int32) { self.poller = poller; self.listener = listener }
        func socketReadable() {
            while let fd = Sys.acceptOne(listener) {
                let handler = Handler(poller: poller, connection: Connection(fd: fd))
                handler.token = poller.register(fd, interest: .readable, handler: handler)
            }
        }
        func socketWritable() {}
    }

    private final class Handler: PollHandler {
        let poller: SocketPoller
        let connection: Connection
        var token: UInt64 = 0
        init(poller: SocketPoller, connection: Connection) { self.poller = poller; self.connection = connection }
        func socketReadable() {
            if !connection.readable() {
                poller.deregister(token)
                connection.close()
            }
        }
        func socketWritable() {}
    }
}

// MARK: 3. one thread blocking in epoll_wait(…, -1), answering inline (SwiftNIO's design)

final class EpollThreadServer: @unchecked Sendable {
    private let listener: Int32
    private let epfd: Int32
    private var connections: [Int32: Connection] = [:]

    init(listener: Int32) {
        self.listener = listener
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { Sys.fail("epoll_create1") }
        add(listener)
    }

    private func add(_ fd: Int32) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        event.data.fd = fd
        guard epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0 else { Sys.fail("epoll_ctl ADD") }
    }

    /// Starts the loop's thread and never returns.
    func runOnOwnThread() -> Never {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<EpollThreadServer>.fromOpaque(context!).takeUnretainedValue().run()
        }, context)
        guard created == 0 else { Sys.fail("pthread_create") }
        pthread_join(thread, nil)
        exit(0)
    }

    private func run() -> Never {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        while true {
            let n = epoll_wait(epfd, events, Int32(capacity), -1)
            if n < 0 { if errno == EINTR { continue }; Sys.fail("epoll_wait") }
            for i in 0..<Int(n) {
                let fd = events[i].data.fd
                if fd == listener {
                    while let accepted = Sys.acceptOne(listener) {
                        connections[accepted] = Connection(fd: accepted)
                        add(accepted)
                    }
                } else if let connection = connections[fd], !connection.readable() {
                    var unused = epoll_event()
                    _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused)
                    connections[fd] = nil
                    connection.close()
                }
            }
        }
    }
}
