// A raw TCP client for tests: send exact bytes, read with timeouts, parse what comes back.
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One TCP connection to a loopback server. The socket is non-blocking and waits are short
/// sleeps, so neither the Swift concurrency pool (which runs the server's handlers) is blocked nor
/// are threads created per connection: thread counts measured in tests stay the server's.
/// Use a connection from one task at a time.
public final class TestConnection: @unchecked Sendable {
    public let fd: Int32
    private let closed = Atomic<Bool>(false)
    /// Received bytes not yet consumed.
    var pending: [UInt8] = []
    /// The peer closed (or reset) the connection.
    var sawEOF = false

    /// Connects at once (loopback connect does not wait on the server's accept).
    /// `host` is an IPv4 or IPv6 literal. `receiveBufferSize` (SO_RCVBUF, set before connecting)
    /// makes a non-reading client's window small, so backpressure shows up after little data.
    public init(port: Int, host: String = "127.0.0.1", receiveBufferSize: Int32? = nil) throws {
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let isIPv6 = inet_pton(AF_INET, host, &v4.sin_addr) != 1
        guard !isIPv6 || inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 else { throw TestClientError.connectFailed(errno: EINVAL) }
        #if canImport(Glibc)
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestClientError.connectFailed(errno: errno) }
        if var size = receiveBufferSize {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let result: Int32
        if isIPv6 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            result = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            result = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            _ = Self.closeDescriptor(fd)
            throw TestClientError.connectFailed(errno: code)
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        self.fd = fd
    }

    deinit {
        close()
    }

    /// Closes the socket (idempotent). With `reset`, sends RST instead of FIN.
    public func close(reset: Bool = false) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if reset {
            var option = linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        }
        _ = Self.closeDescriptor(fd)
    }

    /// Half-closes: sends FIN, keeps reading.
    public func shutdownWrite() {
        #if canImport(Glibc)
        _ = shutdown(fd, Int32(SHUT_WR))
        #else
        _ = shutdown(fd, SHUT_WR)
        #endif
    }

    private static func closeDescriptor(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
    }

    // MARK: sending

    /// Sends every byte; waits (up to `timeout`) while the server does not read.
    public func send(_ bytes: [UInt8], timeout: Duration = patience) async throws {
        let deadline = ContinuousClock.now + timeout
        var offset = 0
        var waits = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                #if canImport(Glibc)
                return Glibc.send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                return Darwin.send(fd, base + offset, raw.count - offset, 0)
                #endif
            }
            if n >= 0 {
                offset += n
                waits = 0
                continue
            }
            let code = errno
            guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else { throw TestClientError.sendFailed(errno: code) }
            guard ContinuousClock.now < deadline else { throw TestClientError.timedOut(waitingFor: "the server to accept more bytes") }
            try await Self.pause(&waits)
        }
    }

    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    // MARK: receiving

    /// What arrives next: buffered bytes, or the next read within `timeout`; empty at end of stream.
    public func receive(timeout: Duration = patience) async throws -> [UInt8] {
        if pending.isEmpty, !sawEOF {
            try await fill(deadline: .now + timeout, waitingFor: "data")
        }
        let bytes = pending
        pending.removeAll()
        return bytes
    }

    /// Everything until the server closes.
    public func readUntilClose(timeout: Duration = patience) async throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        while !sawEOF {
            try await fill(deadline: deadline, waitingFor: "the server to close")
        }
        let bytes = pending
        pending.removeAll()
        return bytes
    }

    /// Whether the server closes (or resets) the connection within `timeout`, discarding data.
    public func waitForClose(timeout: Duration = patience) async -> Bool {
        (try? await readUntilClose(timeout: timeout)) != nil
    }

    /// Reads at least one byte into `pending`, or sets `sawEOF` at end of stream or reset.
    func fill(deadline: ContinuousClock.Instant, waitingFor what: String) async throws {
        var waits = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                pending.append(contentsOf: chunk[0..<n])
                return
            }
            let code = errno
            if n == 0 || code == ECONNRESET {
                sawEOF = true
                return
            }
            guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else { throw TestClientError.receiveFailed(errno: code) }
            guard ContinuousClock.now < deadline else { throw TestClientError.timedOut(waitingFor: what) }
            try await Self.pause(&waits)
        }
    }

    /// Waits before retrying a socket call: 50 µs at first, growing to 1 ms.
    private static func pause(_ waits: inout Int) async throws {
        let microseconds = min(50 << min(waits, 5), 1000)
        waits += 1
        try await Task.sleep(for: .microseconds(microseconds))
    }
}
