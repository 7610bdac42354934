// A keep-alive HTTP/1.1 client on one blocking socket, for /stats, /health and other small requests.
import JSONText
import Glibc
import HTTPWire

/// A whole response read by `BlockingHTTPClient`.
struct SimpleResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func json() throws(HarnessError) -> JSONValue {
        do {
            return try JSONReader.read(body)
        } catch {
            throw HarnessError.server("response is not JSON (\(error)): \(String(bodyText.prefix(200)))")
        }
    }
}

/// Sends requests one at a time over a kept-alive connection, reconnecting when the server closes it.
final class BlockingHTTPClient {
    private let address: SocketAddress
    private let hostHeader: String
    private let timeoutSeconds: Int
    private var fd: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(address: SocketAddress, hostHeader: String, timeoutSeconds: Int = 30) {
        self.address = address
        self.hostHeader = hostHeader
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { disconnect() }

    func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// Sends one request and reads the whole response. Retries once on a fresh connection when a
    /// reused connection turns out to be closed before any response byte arrived.
    func send(method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws(HarnessError) -> SimpleResponse {
        let reused = fd >= 0
        do {
            return try attempt(method: method, path: path, headers: headers, body: body)
        } catch is StaleConnection where reused {
            disconnect()
            do {
                return try attempt(method: method, path: path, headers: headers, body: body)
            } catch {
                throw Self.harnessError(error, method: method, path: path)
            }
        } catch {
            throw Self.harnessError(error, method: method, path: path)
        }
    }

    private static func harnessError(_ error: any Error, method: String, path: String) -> HarnessError {
        if let error = error as? HarnessError { return error }
        if let error = error as? StaleConnection {
            let reason = error.errnoCode == 0 ? "closed by server" : String(cString: strerror(error.errnoCode))
            return HarnessError.server("\(method) \(path): connection lost before a response (\(reason))")
        }
        if let error = error as? HTTPResponseParseError { return HarnessError.server("\(method) \(path): \(error)") }
        return HarnessError.server("\(method) \(path): \(error)")
    }

    private struct StaleConnection: Error { var errnoCode: Int32 }

    private func attempt(method: String, path: String, headers: [(String, String)], body: [UInt8]) throws -> SimpleResponse {
        if fd < 0 { fd = try address.blockingConnect(timeoutSeconds: timeoutSeconds) }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { request += "Content-Length: \(body.count)\r\n" }
        request += "\r\n"
        var bytes = Array(request.utf8)
        bytes.append(contentsOf: body)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                disconnect()
                throw StaleConnection(errnoCode: code)
            }
            offset += n
        }
        var parser = HTTPResponseParser(requestWasHEAD: method == "HEAD")
        var head: HTTPResponseHead?
        var responseBody: [UInt8] = []
        var endedByClose = false
        while !parser.isComplete {
            let n = buffer.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress!, raw.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let code = n < 0 ? errno : 0
                // A body delimited by the close (RFC 9112 §6.3 rule 8) ends here.
                if n == 0, (try? parser.finish()) != nil { endedByClose = true; break }
                let started = parser.hasReceivedBytes
                disconnect()
                if !started { throw StaleConnection(errnoCode: code) }
                if code == EAGAIN || code == EWOULDBLOCK {
                    throw HarnessError.server("\(method) \(path): timed out after \(timeoutSeconds) s")
                }
                throw HarnessError.server("\(method) \(path): connection closed mid-response")
            }
            let events = try buffer.withUnsafeBufferPointer { (all) throws(HTTPResponseParseError) in
                try parser.feed(UnsafeBufferPointer(rebasing: all[0..<n]))
            }
            for event in events {
                switch event {
                case .head(let parsed): head = parsed
                case .body(let bytes): responseBody.append(contentsOf: bytes)
                case .end: break
                }
            }
        }
        guard let head else { throw HarnessError.server("\(method) \(path): no response head") }
        if !head.allowsKeepAlive || endedByClose { disconnect() }
        return SimpleResponse(status: head.status, headers: head.headers, body: responseBody)
    }
}
