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
        _ = LoopbackListener.send(fd, text.utf8)
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
    private let listener: LoopbackListener

    public var port: Int { listener.port }

    /// Connections accepted so far.
    public var acceptedCount: Int { listener.acceptedCount }

    /// Connections the server has closed so far (their script returned).
    public var closedCount: Int { listener.closedCount }

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    public init(script: @escaping @Sendable (ScriptedConnection) -> Void) throws {
        listener = try LoopbackListener { client, index in script(ScriptedConnection(fd: client, index: index)) }
    }

    /// A server answering every request with `response`, recording the requests in `log`.
    public static func answering(_ response: String = httpResponse("{}"), log: RequestLog? = nil) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { connection in
            while let request = connection.readRequest() {
                log?.append(request)
                connection.write(response)
            }
        }
    }

    /// A server that answers the first request of each connection with `text`, then waits for the
    /// client to close; `closed` learns whether it did (within the receive timeout).
    public static func writingOnce(_ text: String, closed: (@Sendable (Bool) -> Void)? = nil) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(text)
            let sawClose = connection.waitForClientClose()
            closed?(sawClose)
        }
    }

    /// Stops accepting and closes the listening socket (connections already running finish their scripts).
    public func stop() {
        listener.stop()
    }
}

/// Requests a scripted server received, as text.
public final class RequestLog: Sendable {
    private let requests = Mutex<[String]>([])

    public init() {}

    public func append(_ request: String) {
        requests.withLock { $0.append(request) }
    }

    public var all: [String] { requests.withLock { $0 } }
}

public enum ScriptedServerError: Error {
    case cannotListen(Int32)
    case cannotConnect(Int32)
}

/// A response with a `Content-Length` body.
public func httpResponse(_ body: String, status: String = "200 OK", headers: String = "") -> String {
    "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
}
