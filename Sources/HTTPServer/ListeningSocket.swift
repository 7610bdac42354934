// Creating the non-blocking listening socket and accepting from it.
import EventLoops
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bound, listening, non-blocking socket.
struct ListeningSocket {
    let fd: Int32
    /// The port actually bound (differs from the requested one for port 0).
    let port: Int

    /// socket → SO_REUSEADDR → bind → listen → O_NONBLOCK; the descriptor is closed on failure.
    static func open(host: String, port: Int, backlog: Int32) throws(HTTPServerError) -> ListeningSocket {
        let address = try SocketAddress.listenAddress(host: host, port: port)
        let fd = socket(address.family, Socket.streamType, 0)
        guard fd >= 0 else { throw .socketFailed(call: "socket", errno: errno) }
        func fail(_ call: String) -> HTTPServerError {
            let code = errno
            Socket.close(fd)
            return .socketFailed(call: call, errno: code)
        }
        guard Socket.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) else { throw fail("setsockopt(SO_REUSEADDR)") }
        guard address.withSockAddr({ bind(fd, $0, $1) }) == 0 else { throw fail("bind") }
        guard listen(fd, backlog) == 0 else { throw fail("listen") }
        guard Socket.setNonBlocking(fd) else { throw fail("fcntl(O_NONBLOCK)") }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw fail("getsockname") }
        return ListeningSocket(fd: fd, port: boundPort(bound))
    }

    private static func boundPort(_ storage: sockaddr_storage) -> Int {
        var storage = storage
        let isIPv6 = Int32(storage.ss_family) == AF_INET6
        return withUnsafePointer(to: &storage) { pointer in
            if isIPv6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// What one `accept` call gave.
    enum AcceptResult {
        case accepted(fd: Int32, peer: sockaddr_storage)
        /// Nothing more to accept right now.
        case wouldBlock
        /// A transient failure for one connection (it was aborted, or the call was interrupted).
        case retry
        /// Out of descriptors or memory: stop accepting for a moment.
        case exhausted(errno: Int32)
        case failed(errno: Int32)
    }

    func accept() -> AcceptResult {
        var peer = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let client = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.accept(fd, $0, &length)
                #else
                Darwin.accept(fd, $0, &length)
                #endif
            }
        }
        if client >= 0 { return .accepted(fd: client, peer: peer) }
        let code = errno
        switch code {
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        case EINTR, ECONNABORTED, EPROTO: return .retry
        case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted(errno: code)
        default: return .failed(errno: code)
        }
    }
}
