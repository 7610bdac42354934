// A tiny HTTP/1.1 collector on 127.0.0.1 for shipper tests: records requests, answers scripted statuses.
import Foundation
import TestSupport
import Glibc
import Synchronization

/// Accepts one connection at a time on a background thread, reads a Content-Length request,
/// records it and answers with the next scripted status (200 once the script is used up), then
/// closes the connection.
final class LoopbackCollector: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    private let listener: Int32
    private let state: Mutex<(requests: [Request], script: [Int], retryAfter: String?)>

    /// Starts listening; `statuses` are answered in order, then 200.
    init(statuses: [Int] = [], retryAfter: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw Failure(description: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.state = Mutex(([], statuses, retryAfter))
        Thread { [self] in acceptLoop() }.start()
    }

    /// The URL to post to.
    var url: URL { URL(string: "http://127.0.0.1:\(port)/services/collector/event")! }

    var requests: [Request] { state.withLock { $0.requests } }

    /// Waits until at least `count` requests arrived (or `patience` passed); returns what arrived.
    func waitForRequests(_ count: Int) async -> [Request] {
        _ = await eventually { requests.count >= count }
        return requests
    }

    /// Stops accepting; the background thread ends.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            serve(connection)
            close(connection)
        }
    }

    private func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            guard let chunk = receive(connection) else { return }
            buffer += chunk
            headerEnd = buffer.firstRange(of: separator)?.upperBound
        }
        guard let headerEnd else { return }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            send(connection, "HTTP/1.1 100 Continue\r\n\r\n")
        }
        let length = headers["content-length"].flatMap { Int($0) } ?? 0
        var body = Array(buffer[headerEnd...])
        while body.count < length {
            guard let chunk = receive(connection) else { return }
            body += chunk
        }
        let request = Request(
            method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "",
            headers: headers, body: String(decoding: body.prefix(length), as: UTF8.self))
        let (status, retryAfter) = state.withLock { state -> (Int, String?) in
            state.requests.append(request)
            return (state.script.isEmpty ? 200 : state.script.removeFirst(), state.retryAfter)
        }
        let answer = status == 200 ? #"{"text":"Success","code":0}"# : #"{"text":"Nope","code":9}"#
        var response = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\nConnection: close\r\n"
        if let retryAfter, status != 200 { response += "Retry-After: \(retryAfter)\r\n" }
        send(connection, response + "\r\n" + answer)
    }

    private func receive(_ connection: Int32) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Array(chunk.prefix(count))
    }

    private func send(_ connection: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }
}
