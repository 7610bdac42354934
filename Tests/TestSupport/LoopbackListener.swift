// A blocking listener on 127.0.0.1 for test servers: a free port, a thread per accepted connection.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Listens on 127.0.0.1 (port 0) and runs `serve` for every accepted connection on its own thread;
/// the connection is closed when `serve` returns.
public final class LoopbackListener: Sendable {
    public let port: Int
    private let fd: Int32
    private let accepted = Atomic<Int>(0)
    private let closed = Atomic<Int>(0)
    private let stopped = DispatchSemaphore(value: 0)

    /// `serve` gets the connected socket and its position among accepted connections (0 first).
    public init(serve: @escaping @Sendable (_ client: Int32, _ index: Int) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ScriptedServerError.cannotListen(errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    // Closed here, not in stop(): the fd number must not be reused while accept may still run.
                    close(fd)
                    stopped.signal()
                    return
                }
                let index = accepted.add(1, ordering: .acquiringAndReleasing).oldValue
                let worker = Thread {
                    serve(client, index)
                    close(client)
                    self.closed.add(1, ordering: .acquiringAndReleasing)
                }
                worker.start()
            }
        }
        thread.start()
    }

    /// Connections accepted so far.
    public var acceptedCount: Int { accepted.load(ordering: .acquiring) }

    /// Connections this side has closed so far (their `serve` returned).
    public var closedCount: Int { closed.load(ordering: .acquiring) }

    /// Stops accepting and closes the listening socket (connections being served finish on their own).
    public func stop() {
        _ = shutdown(fd, Int32(SHUT_RDWR))
        stopped.wait()
    }

    /// A blocking TCP connection to 127.0.0.1:`port`.
    public static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ScriptedServerError.cannotConnect(errno)
        }
        return fd
    }

    /// Writes all of `bytes` (false when the peer is gone).
    public static func send(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Bool {
        let bytes = Array(bytes)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
