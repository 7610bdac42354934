// A loopback forward proxy for tests: CONNECT tunnels and absolute-form http requests, recorded.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Listens on 127.0.0.1:0. `CONNECT host:port` to localhost/127.0.0.1 answers 200 and relays raw
/// bytes; a request with an absolute-form target is forwarded (with what follows on that connection)
/// to the host and port it names. Every first request line is recorded.
public final class TestProxy: Sendable {
    public let port: Int
    private let listener: Int32
    private let lines = Mutex<[String]>([])
    private let stopped = DispatchSemaphore(value: 0)

    public init() throws {
        let (fd, port) = try TestTLSServer.listen()
        listener = fd
        self.port = port
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    close(fd)
                    stopped.signal()
                    return
                }
                let worker = Thread { [self] in serve(client) }
                worker.start()
            }
        }
        thread.start()
    }

    /// The first request line of each connection, e.g. `CONNECT localhost:4433 HTTP/1.1`.
    public var requestLines: [String] { lines.withLock { $0 } }

    public var url: String { "http://127.0.0.1:\(port)" }

    public func stop() {
        _ = shutdown(listener, Int32(SHUT_RDWR))
        stopped.wait()
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: [13, 10, 13, 10]) {
            guard recv(client, &byte, 1, 0) == 1 else { return }
            head.append(byte)
        }
        let line = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")[0]
        lines.withLock { $0.append(line) }
        let parts = line.split(separator: " ")
        guard parts.count == 3 else { return }
        let authority: Substring
        if parts[0] == "CONNECT" {
            authority = parts[1]
        } else if let url = URL(string: String(parts[1])), let host = url.host {
            authority = "\(host):\(url.port ?? 80)"
        } else {
            return
        }
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
              ["localhost", "127.0.0.1"].contains(authority[..<colon]),
              let backend = try? TestTLSServer.connectBackend(port) else {
            _ = Self.send(client, Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".utf8))
            return
        }
        defer { close(backend) }
        if parts[0] == "CONNECT" {
            guard Self.send(client, Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8)) else { return }
        } else {
            guard Self.send(backend, head) else { return }
        }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: backend, events: Int16(POLLIN), revents: 0)]
        while poll(&fds, 2, 10_000) > 0 {
            for (from, to) in [(0, 1), (1, 0)] where fds[from].revents != 0 {
                let n = recv(fds[from].fd, &buffer, buffer.count, 0)
                guard n > 0, Self.send(fds[to].fd, Array(buffer[..<n])) else { return }
            }
        }
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
