// Incremental HTTP/1.1 request parser: bytes in (any chunking), request heads and complete requests out.

/// Parses requests from bytes fed in arbitrary pieces. Leftover bytes stay buffered for the next
/// request (pipelining). Each request yields `.head` (so a server can answer `100 Continue` or
/// refuse early) and then `.request` once its body is complete. After an error the parser stays
/// failed: the connection must be closed.
///
/// Strict by design (RFC 9112 leaves some leniency optional): every line must end in CRLF, a bare
/// LF is refused rather than accepted as a line end (§2.2 "MAY recognize"), since a front proxy
/// that disagrees about line ends is a smuggling vector; a bare CR is refused (§2.2); empty lines
/// before a request line are skipped (§2.2).
public struct HTTPRequestParser: Sendable {
    /// Size limits enforced while parsing.
    public struct Limits: Sendable, Equatable {
        /// Largest head (request line, fields, CRLFs) and largest trailer section → 431.
        public var maxHeaderBytes: Int
        /// Largest body after de-chunking → 413 (checked against `Content-Length` before reading).
        public var maxBodyBytes: Int
        /// Longest chunk-size line including extensions → 400.
        public var maxChunkLineBytes: Int

        public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1_048_576, maxChunkLineBytes: Int = 4096) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.maxChunkLineBytes = maxChunkLineBytes
        }
    }

    /// What the parser produced.
    public enum Event: Sendable {
        /// A request head; its body (if any) has not necessarily arrived yet.
        case head(HTTPRequestHead)
        /// The request whose head was reported last, with its complete (de-chunked) body.
        case request(HTTPRequest)
    }

    enum Phase: Sendable, Equatable {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(HTTPParseError)
    }

    public let limits: Limits
    var buffer: [UInt8] = []
    /// First unconsumed byte of `buffer`.
    var readIndex = 0
    var phase: Phase = .head
    /// Bytes after `readIndex` already scanned for a line or section end.
    var scanned = 0
    /// Start of the current line, relative to `readIndex` (field sections only).
    var lineStart = 0
    /// Bytes of empty lines skipped before a request line (count toward the header limit).
    var skippedBytes = 0
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes received but not yet consumed by a complete request.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True between requests with nothing buffered: no request has started.
    public var isAtRequestBoundary: Bool {
        phase == .head && readIndex == buffer.count && skippedBytes == 0
    }

    /// Appends received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes.
    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next event, or nil when more bytes are needed. Throws the same error forever once failed.
    public mutating func next() throws(HTTPParseError) -> Event? {
        if case .failed(let error) = phase { throw error }
        do {
            return try step()
        } catch {
            phase = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        while true {
            switch phase {
            case .failed(let error):
                throw error
            case .head:
                guard let end = try scanFieldSection(limit: limits.maxHeaderBytes - skippedBytes, isHead: true) else { return nil }
                let start = readIndex
                let limits = self.limits
                let parsed = try buffer.withUnsafeBufferPointer { p throws(HTTPParseError) in
                    try HTTPRequestHeadParser.parse(p, start: start, end: end, limits: limits)
                }
                consume(upTo: end)
                skippedBytes = 0
                head = parsed
                switch parsed.framing {
                case .none: phase = .body(remaining: 0)
                case .length(let n):
                    phase = .body(remaining: n)
                    body.reserveCapacity(n)
                case .chunked: phase = .chunkSize
                }
                return .head(parsed)
            case .body(let remaining):
                if remaining > 0 {
                    let take = min(remaining, bufferedByteCount)
                    guard take > 0 else { return nil }
                    body.append(contentsOf: buffer[readIndex..<readIndex + take])
                    readIndex += take
                    phase = .body(remaining: remaining - take)
                    if take < remaining { return nil }
                }
                return .request(finishRequest())
            case .chunkSize:
                guard let size = try scanChunkSizeLine() else { return nil }
                if size == 0 {
                    phase = .trailers
                } else {
                    // Counted as the chunks announce themselves, before their data is read.
                    guard size <= limits.maxBodyBytes - body.count else { throw .payloadTooLarge }
                    phase = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let take = min(remaining, bufferedByteCount)
                guard take > 0 else { return nil }
                body.append(contentsOf: buffer[readIndex..<readIndex + take])
                readIndex += take
                phase = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkDataEnd:
                // RFC 9112 §7.1: chunk-data is followed by exactly CRLF.
                let available = bufferedByteCount
                if available >= 1, buffer[readIndex] != HTTPByteClass.cr { throw .invalidChunkTerminator }
                guard available >= 2 else { return nil }
                guard buffer[readIndex + 1] == HTTPByteClass.lf else { throw .invalidChunkTerminator }
                readIndex += 2
                phase = .chunkSize
            case .trailers:
                // RFC 9112 §7.1.2: trailer fields are read, checked for syntax, and dropped.
                guard let end = try scanFieldSection(limit: limits.maxHeaderBytes, isHead: false) else { return nil }
                let start = readIndex
                try buffer.withUnsafeBufferPointer { p throws(HTTPParseError) in
                    var pos = start
                    while pos < end - 2 {
                        let lineEnd = HTTPRequestHeadParser.lineEnd(p, from: pos)
                        _ = try HTTPRequestHeadParser.parseFieldLine(p, pos, lineEnd)
                        pos = lineEnd + 2
                    }
                }
                consume(upTo: end)
                return .request(finishRequest())
            }
        }
    }

    private mutating func finishRequest() -> HTTPRequest {
        guard let head else { preconditionFailure("HTTPRequestParser: body completed without a head") }
        let request = HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body)
        self.head = nil
        body = []
        phase = .head
        return request
    }

    private mutating func consume(upTo end: Int) {
        readIndex = end
        scanned = 0
        lineStart = 0
    }

    /// Drops consumed bytes before new ones are appended.
    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            if buffer.capacity > 16 * 1024 {
                buffer = []
            } else {
                buffer.removeAll(keepingCapacity: true)
            }
            readIndex = 0
        } else if readIndex >= 4096 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
