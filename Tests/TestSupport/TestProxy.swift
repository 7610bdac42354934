// A loopback forward proxy for tests: CONNECT tunnels and absolute-form http requests, recorded.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Listens on 127.0.0.1:0. `CONNECT host:port` to localhost, 127.0.0.1 or `upstream.test` (which
/// only this proxy resolves, to 127.0.0.1: clients do not proxy loopback hosts) answers 200 and relays raw
/// bytes; a request with an absolute-form target is forwarded (with what follows on that connection)
/// to the host and port it names. Every first request line is recorded.
public final class TestProxy: Sendable {
    private let lines: RequestLog
    private let listener: LoopbackListener

    public var port: Int { listener.port }

    public init() throws {
        let lines = RequestLog()
        self.lines = lines
        listener = try LoopbackListener { client, _ in Self.serve(client, lines: lines) }
    }

    /// The first request line of each connection, e.g. `CONNECT localhost:4433 HTTP/1.1`.
    public var requestLines: [String] { lines.all }

    public var url: String { "http://127.0.0.1:\(port)" }

    public func stop() {
        listener.stop()
    }

    private static func serve(_ client: Int32, lines: RequestLog) {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: [13, 10, 13, 10]) {
            guard recv(client, &byte, 1, 0) == 1 else { return }
            head.append(byte)
        }
        let line = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")[0]
        lines.append(line)
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
              ["localhost", "127.0.0.1", "upstream.test"].contains(authority[..<colon]),
              let backend = try? LoopbackListener.connect(port: port) else {
            _ = LoopbackListener.send(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".utf8)
            return
        }
        defer { close(backend) }
        if parts[0] == "CONNECT" {
            guard LoopbackListener.send(client, "HTTP/1.1 200 Connection Established\r\n\r\n".utf8) else { return }
        } else {
            guard LoopbackListener.send(backend, head) else { return }
        }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: backend, events: Int16(POLLIN), revents: 0)]
        while poll(&fds, 2, 10_000) > 0 {
            for (from, to) in [(0, 1), (1, 0)] where fds[from].revents != 0 {
                let n = recv(fds[from].fd, &buffer, buffer.count, 0)
                guard n > 0, LoopbackListener.send(fds[to].fd, buffer[..<n]) else { return }
            }
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
