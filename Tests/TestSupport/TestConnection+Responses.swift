// Reading whole responses, heads and chunks from a TestConnection.
import HTTPWire

extension TestConnection {
    /// Sends a request on this (possibly kept-alive) connection and reads the response.
    public func request(
        method: String = "GET", path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(30)
    ) async throws -> TestResponse {
        try await send(Self.encodeRequest(method: method, path: path, headers: headers, body: body))
        return try await readResponse(timeout: timeout, forHEAD: method == "HEAD")
    }

    /// Request bytes with `Host`, and `Content-Length` when there is a body or the method usually has one.
    public static func encodeRequest(method: String, path: String, headers: [(String, String)], body: [UInt8]) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\n"
        let names = Set(headers.map { $0.0.lowercased() })
        if !names.contains("host") { text += "Host: 127.0.0.1\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !names.contains("content-length"), !names.contains("transfer-encoding"),
           !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            text += "Content-Length: \(body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    /// The next complete response. `forHEAD`: the request was HEAD, so there is no body.
    /// A `100 Continue` is returned as a response of its own.
    public func readResponse(timeout: Duration = .seconds(30), forHEAD: Bool = false) async throws -> TestResponse {
        let deadline = ContinuousClock.now + timeout
        let head = try await takeHead(deadline: deadline)
        let noBody = forHEAD || head.status < 200 || head.status == 204 || head.status == 304
        if noBody { return TestResponse(head: head, body: [], chunks: []) }
        if head.isChunked {
            var chunks: [[UInt8]] = []
            while let chunk = try await takeChunk(deadline: deadline) { chunks.append(chunk) }
            return TestResponse(head: head, body: chunks.flatMap { $0 }, chunks: chunks)
        }
        if let length = head.headers["Content-Length"].flatMap(Int.init) {
            while pending.count < length {
                guard !sawEOF else { throw TestClientError.closedEarly(waitingFor: "\(length) body bytes") }
                try await fill(deadline: deadline, waitingFor: "\(length) body bytes")
            }
            let body = Array(pending[0..<length])
            pending.removeFirst(length)
            return TestResponse(head: head, body: body, chunks: [])
        }
        while !sawEOF { try await fill(deadline: deadline, waitingFor: "a close-delimited body") }
        let body = pending
        pending.removeAll()
        return TestResponse(head: head, body: body, chunks: [])
    }

    /// Reads just the status line and fields.
    public func readHead(timeout: Duration = .seconds(30)) async throws -> TestResponseHead {
        try await takeHead(deadline: .now + timeout)
    }

    /// The next chunk of a chunked body as soon as it is complete; nil after the last chunk.
    public func readChunk(timeout: Duration = .seconds(30)) async throws -> [UInt8]? {
        try await takeChunk(deadline: .now + timeout)
    }

    // MARK: parsing from the received bytes

    private func takeLine(deadline: ContinuousClock.Instant, waitingFor what: String) async throws -> [UInt8] {
        while true {
            if let lf = pending.firstIndex(of: 10) {
                guard lf > 0, pending[lf - 1] == 13 else { throw TestClientError.malformed("line without CRLF") }
                let line = Array(pending[0..<(lf - 1)])
                pending.removeFirst(lf + 1)
                return line
            }
            guard !sawEOF else { throw TestClientError.closedEarly(waitingFor: what) }
            try await fill(deadline: deadline, waitingFor: what)
        }
    }

    func takeHead(deadline: ContinuousClock.Instant) async throws -> TestResponseHead {
        let statusLine = String(decoding: try await takeLine(deadline: deadline, waitingFor: "a status line"), as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TestClientError.malformed("status line '\(statusLine)'")
        }
        var headers = HTTPHeaders()
        while true {
            let line = try await takeLine(deadline: deadline, waitingFor: "header fields")
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw TestClientError.malformed("field line without colon") }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: " \t")
            headers.add(name: name, value: value)
        }
        return TestResponseHead(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
    }

    func takeChunk(deadline: ContinuousClock.Instant) async throws -> [UInt8]? {
        let sizeLine = String(decoding: try await takeLine(deadline: deadline, waitingFor: "a chunk size"), as: UTF8.self)
        guard let size = Int(sizeLine.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
            throw TestClientError.malformed("chunk size '\(sizeLine)'")
        }
        if size == 0 {
            while try await !takeLine(deadline: deadline, waitingFor: "the end of trailers").isEmpty {}
            return nil
        }
        while pending.count < size + 2 {
            guard !sawEOF else { throw TestClientError.closedEarly(waitingFor: "chunk data") }
            try await fill(deadline: deadline, waitingFor: "chunk data")
        }
        guard pending[size] == 13, pending[size + 1] == 10 else { throw TestClientError.malformed("chunk not followed by CRLF") }
        let data = Array(pending[0..<size])
        pending.removeFirst(size + 2)
        return data
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
