// Thin wrappers over the client socket system calls.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ClientSocket {
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

    /// Starts a non-blocking connect to `address`.
    static func startConnect(_ address: SocketAddress) -> ConnectStart {
        let fd = socket(address.family, streamType, 0)
        guard fd >= 0 else { return .failed(errno: errno) }
        guard configure(fd) else {
            let code = errno
            close(fd)
            return .failed(errno: code)
        }
        let result = address.withSockAddr { connect(fd, $0, $1) }
        if result == 0 { return .connected(fd) }
        let code = errno
        if code == EINPROGRESS { return .inProgress(fd) }
        close(fd)
        return .failed(errno: code)
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
