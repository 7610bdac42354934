// A raw TCP client for tests: send exact bytes, read with timeouts, parse what comes back.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One TCP connection to 127.0.0.1. Blocking socket calls run on the connection's own serial
/// queue (never on the Swift concurrency pool, where they could starve the server's handlers).
/// Use it from one task at a time.
public final class TestConnection: @unchecked Sendable {
    public let fd: Int32
    private let queue = DispatchQueue(label: "threadmeter.test.connection")
    private let closed = Atomic<Bool>(false)
    /// Received bytes not yet consumed (touched only on `queue`).
    var pending: [UInt8] = []
    /// The peer closed (or reset) the connection (touched only on `queue`).
    var sawEOF = false

    /// Connects at once (loopback connect does not wait on the server's accept).
    public init(port: Int) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestClientError.connectFailed(errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
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
        var sendTimeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit {
        close()
    }

    /// Makes the kernel receive buffer small (call before the server sends much): lets tests
    /// fill the path to a client that does not read with little data.
    public func setReceiveBufferSize(_ bytes: Int32) {
        var size = bytes
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Closes the socket (idempotent). With `reset`, sends RST instead of FIN.
    public func close(reset: Bool = false) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if reset {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
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

    /// Sends every byte (blocking up to 5 s per call if the server does not read).
    public func send(_ bytes: [UInt8]) async throws {
        try await onQueue { [fd] in
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { raw in
                    #if canImport(Glibc)
                    Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    #else
                    Darwin.send(fd, raw.baseAddress! + offset, raw.count - offset, 0)
                    #endif
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TestClientError.sendFailed(errno: errno)
                }
                offset += n
            }
        }
    }

    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    // MARK: receiving

    /// What arrives next: buffered bytes, or the next read within `timeout`; empty at end of stream.
    public func receive(timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        try await onQueue {
            if self.pending.isEmpty, !self.sawEOF {
                try self.fill(deadline: .now + timeout, waitingFor: "data")
            }
            let bytes = self.pending
            self.pending.removeAll()
            return bytes
        }
    }

    /// Everything until the server closes.
    public func readUntilClose(timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        try await onQueue {
            let deadline = ContinuousClock.now + timeout
            while !self.sawEOF {
                try self.fill(deadline: deadline, waitingFor: "the server to close")
            }
            let bytes = self.pending
            self.pending.removeAll()
            return bytes
        }
    }

    /// Whether the server closes (or resets) the connection within `timeout`, discarding data.
    public func waitForClose(timeout: Duration) async -> Bool {
        (try? await readUntilClose(timeout: timeout)) != nil
    }

    /// Runs blocking work on the connection's queue.
    func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// One `recv` into `pending` (on the queue); sets `sawEOF` at end of stream or reset.
    func fill(deadline: ContinuousClock.Instant, waitingFor what: String) throws {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { throw TestClientError.timedOut(waitingFor: what) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let millis = Int32(clamping: max(1, Int((remaining / .milliseconds(1)).rounded(.up))))
            let ready = poll(&poller, 1, millis)
            if ready < 0 {
                if errno == EINTR { continue }
                throw TestClientError.receiveFailed(errno: errno)
            }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                pending.append(contentsOf: chunk[0..<n])
                return
            }
            if n == 0 || errno == ECONNRESET {
                sawEOF = true
                return
            }
            if errno == EINTR || errno == EAGAIN { continue }
            throw TestClientError.receiveFailed(errno: errno)
        }
    }
}
