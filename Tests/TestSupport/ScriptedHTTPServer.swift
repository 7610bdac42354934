// A loopback HTTP server for transport tests: each accepted connection runs a script on its own
// thread with blocking sockets, so tests control framing, keep-alive and closing byte by byte.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One accepted connection as its script sees it.
public final class ScriptedConnection: @unchecked Sendable {
    public let fd: Int32
    /// Position among accepted connections (0 for the first).
    public let index: Int
    private var pending: [UInt8] = []

    init(fd: Int32, index: Int) {
        self.fd = fd
        self.index = index
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next request (head plus a `Content-Length` body) as text; nil when the client closed.
    public func readRequest() -> String? {
        while true {
            if let end = find(Array("\r\n\r\n".utf8)) {
                let head = String(decoding: pending[..<end], as: UTF8.self)
                let length = head.split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let total = end + 4 + length
                while pending.count < total {
                    guard receive() else { return nil }
                }
                let request = String(decoding: pending[..<total], as: UTF8.self)
                pending.removeFirst(total)
                return request
            }
            guard receive() else { return nil }
        }
    }

    /// Writes `text` (all of it).
    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }

    /// Whether the client closed the connection within the receive timeout (10 s).
    public func waitForClientClose() -> Bool {
        while true {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    private func receive() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return false }
        pending += buffer[..<n]
        return true
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard pending.count >= needle.count else { return nil }
        for start in 0...(pending.count - needle.count) where pending[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

/// Listens on 127.0.0.1 and runs `script` for every accepted connection (the socket closes after it).
public final class ScriptedHTTPServer: Sendable {
    public let port: Int
    private let listener: Int32
    private let accepted = Atomic<Int>(0)
    private let stopped = DispatchSemaphore(value: 0)

    /// Connections accepted so far.
    public var acceptedCount: Int { accepted.load(ordering: .acquiring) }

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    public init(script: @escaping @Sendable (ScriptedConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
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
        listener = fd
        let stopped = self.stopped
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    // Closed here, not in stop(): the fd number must not be reused while accept may still run.
                    close(fd)
                    stopped.signal()
                    return
                }
                let index = self.accepted.add(1, ordering: .acquiringAndReleasing).oldValue
                let worker = Thread {
                    script(ScriptedConnection(fd: client, index: index))
                    close(client)
                }
                worker.start()
            }
        }
        thread.start()
    }

    /// Stops accepting and closes the listening socket (connections already running finish their scripts).
    public func stop() {
        _ = shutdown(listener, Int32(SHUT_RDWR))
        stopped.wait()
    }
}

public enum ScriptedServerError: Error {
    case cannotListen(Int32)
}

/// A response with a `Content-Length` body.
public func httpResponse(_ body: String, status: String = "200 OK", headers: String = "") -> String {
    "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
}
