// Reading whole responses, heads and chunks from a TestConnection.
import HTTPWire

extension TestConnection {
    /// Sends a request on this (possibly kept-alive) connection and reads the response.
    public func request(
        method: String = "GET", path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeout: Duration = patience
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
    public func readResponse(timeout: Duration = patience, forHEAD: Bool = false) async throws -> TestResponse {
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
    public func readHead(timeout: Duration = patience) async throws -> TestResponseHead {
        try await takeHead(deadline: .now + timeout)
    }

    /// The next chunk of a chunked body as soon as it is complete; nil after the last chunk.
    public func readChunk(timeout: Duration = patience) async throws -> [UInt8]? {
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

    /// The next head, parsed by `HTTPWire.HTTPResponseParser.parseHead` (interim 1xx heads too).
    func takeHead(deadline: ContinuousClock.Instant) async throws -> TestResponseHead {
        let end: [UInt8] = [13, 10, 13, 10]
        while true {
            if let at = pending.firstRange(of: end) {
                let bytes = Array(pending[..<at.upperBound])
                pending.removeFirst(at.upperBound)
                do {
                    let head = try HTTPResponseParser.parseHead(bytes)
                    return TestResponseHead(status: head.status, reason: head.reason, headers: head.headers)
                } catch {
                    throw TestClientError.malformed("response head: \(error)")
                }
            }
            guard !sawEOF else { throw TestClientError.closedEarly(waitingFor: pending.isEmpty ? "a status line" : "header fields") }
            try await fill(deadline: deadline, waitingFor: pending.isEmpty ? "a status line" : "header fields")
        }
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
