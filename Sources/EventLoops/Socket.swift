// The one socket layer: thin wrappers over the non-blocking socket system calls that the server
// and the HTTP client share.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Socket system calls for non-blocking TCP streams (server and client side).
package enum Socket {
    #if canImport(Glibc)
    package static let streamType = Int32(SOCK_STREAM.rawValue)
    /// Writes to a closed peer return EPIPE instead of raising SIGPIPE.
    package static let sendFlags = Int32(MSG_NOSIGNAL)
    static let peekFlags = Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)
    #else
    package static let streamType = SOCK_STREAM
    package static let sendFlags: Int32 = 0
    static let peekFlags = MSG_PEEK | MSG_DONTWAIT
    #endif

    package static func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }

    package static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Options for a connected stream (accepted or connecting): non-blocking, no Nagle delay (each
    /// SSE event or request goes out at once), and no SIGPIPE where the platform needs an option.
    package static func configureStream(_ fd: Int32) -> Bool {
        guard setNonBlocking(fd) else { return false }
        _ = setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        #if canImport(Darwin)
        _ = setOption(fd, SOL_SOCKET, SO_NOSIGPIPE, 1)
        #endif
        return true
    }

    /// The outcome of starting a non-blocking connect.
    package enum ConnectStart {
        case connected(Int32)
        case inProgress(Int32)
        case failed(errno: Int32)
    }

    /// Starts a non-blocking connect to `address`.
    package static func startConnect(_ address: SocketAddress) -> ConnectStart {
        let fd = socket(address.family, streamType, 0)
        guard fd >= 0 else { return .failed(errno: errno) }
        guard configureStream(fd) else {
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

    /// The result of a finished non-blocking connect: 0, or the errno it failed with.
    package static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }

    /// Whether an idle connection still looks usable: no EOF, no unexpected bytes, no error pending.
    package static func looksAlive(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, peekFlags)
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// Closes the write half, sending FIN after queued data.
    package static func shutdownWrite(_ fd: Int32) {
        #if canImport(Glibc)
        _ = shutdown(fd, Int32(SHUT_WR))
        #else
        _ = shutdown(fd, SHUT_WR)
        #endif
    }

    package static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}
