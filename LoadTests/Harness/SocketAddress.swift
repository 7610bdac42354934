// Where the harness connects: a resolved TCP address and the sockets made for it.
import Glibc

/// A resolved IPv4 or IPv6 TCP address.
struct SocketAddress: @unchecked Sendable {
    // sockaddr_storage is plain old data; @unchecked because it is a C struct.
    private var storage = sockaddr_storage()
    private var length: socklen_t = 0
    let family: Int32
    let description: String

    /// Resolves `host` (a literal or a name such as `localhost`) with getaddrinfo.
    init(host: String, port: Int) throws(HarnessError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let hostName = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let status = getaddrinfo(hostName, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw HarnessError.usage("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        family = first.pointee.ai_family
        length = first.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        description = "\(host):\(port)"
    }

    /// Starts a connection on a new non-blocking socket. Returns the socket; the connection is
    /// established when it becomes writable (check `pendingSocketError`).
    func startNonBlockingConnect(receiveBufferBytes: Int? = nil) throws(HarnessError) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.system("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if var bytes = receiveBufferBytes.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = withUnsafeBytes(of: storage) { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
        if result != 0 && errno != EINPROGRESS {
            let code = errno
            close(fd)
            throw HarnessError.system("connect to \(description)", code)
        }
        return fd
    }

    /// Connects a blocking socket with send/receive timeouts.
    func blockingConnect(timeoutSeconds: Int) throws(HarnessError) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.system("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafeBytes(of: storage) { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw HarnessError.system("connect to \(description)", code)
        }
        return fd
    }

    /// The error of a non-blocking connect once the socket is writable (0 when connected).
    static func pendingSocketError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size) == 0 else { return errno }
        return code
    }
}

/// Errors that stop the harness before or after the run (not per-request errors).
enum HarnessError: Error, CustomStringConvertible {
    case usage(String)
    case system(String, Int32)
    case server(String)

    var description: String {
        switch self {
        case .usage(let message): message
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .server(let message): message
        }
    }
}

/// Monotonic time in nanoseconds.
enum MonotonicClock {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
