// Thin wrappers over the client socket system calls of the native transport.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum NativeSocket {
    #if canImport(Glibc)
    static let streamType = Int32(SOCK_STREAM.rawValue)
    /// Writes to a closed peer return EPIPE instead of raising SIGPIPE.
    static let sendFlags = Int32(MSG_NOSIGNAL)
    static let peekFlags = Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)
    #else
    static let streamType = SOCK_STREAM
    static let sendFlags: Int32 = 0
    static let peekFlags = MSG_PEEK | MSG_DONTWAIT
    #endif

    /// The outcome of starting a non-blocking connect.
    enum ConnectStart {
        case connected(Int32)
        case inProgress(Int32)
        case failed(errno: Int32)
    }

    /// Resolves `host:port` (blocking getaddrinfo; numeric hosts resolve at once) and starts a
    /// non-blocking connect to the first address that accepts one.
    static func startConnect(host: String, port: Int) -> ConnectStart {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else { return .failed(errno: status == EAI_SYSTEM ? errno : EHOSTUNREACH) }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, streamType, 0)
            guard fd >= 0 else { lastError = errno; continue }
            guard configure(fd) else { lastError = errno; close(fd); continue }
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return .connected(fd) }
            let error = errno
            if error == EINPROGRESS { return .inProgress(fd) }
            lastError = error
            close(fd)
        }
        return .failed(errno: lastError)
    }

    /// Non-blocking, no Nagle delay (a request goes out at once), no SIGPIPE where an option is needed.
    private static func configure(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { return false }
        _ = setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        #if canImport(Darwin)
        _ = setOption(fd, SOL_SOCKET, SO_NOSIGPIPE, 1)
        #endif
        return true
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// The result of a finished non-blocking connect: 0, or the errno it failed with.
    static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }

    /// Whether an idle connection still looks usable: no EOF, no unexpected bytes, no error pending.
    static func looksAlive(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, peekFlags)
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    /// `strerror` text for `code`.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
