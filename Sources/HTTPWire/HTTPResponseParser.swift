// An incremental HTTP/1.x response parser: bytes in any split → head, body pieces, end.

/// Parses one response (interim 1xx responses are skipped) from bytes fed in arbitrary pieces.
/// The body may be framed by `Content-Length`, `Transfer-Encoding: chunked`, or the end of the
/// connection (`finish()`); anything ambiguous is refused. Line ends must be CRLF.
///
/// Use one parser per response; `isComplete` tells when the connection is free for the next request.
public struct HTTPResponseParser: Sendable {
    /// What a piece of input produced, in order.
    public enum Event: Sendable, Equatable {
        /// The final (non-1xx) response head.
        case head(HTTPResponseHead)
        /// Body bytes (chunked framing removed).
        case body([UInt8])
        /// The response is complete.
        case end
    }

    enum State: Sendable, Equatable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        /// After chunk data: `matched` bytes of its CRLF seen.
        case chunkDataEnd(matched: Int)
        case trailers
        case untilClose
        case done
        case failed(HTTPResponseParseError)
    }

    /// Largest head (interim responses included) accepted.
    public let maxHeadBytes: Int
    /// Largest chunk-size or trailer line accepted.
    public let maxLineBytes: Int
    let requestWasHEAD: Bool
    var state = State.head
    /// The head being accumulated, or the current chunk-size/trailer line.
    var buffer: [UInt8] = []
    var headBytes = 0
    var trailerBytes = 0
    /// The final head, once parsed.
    public internal(set) var head: HTTPResponseHead?
    /// Whether any byte was fed (a connection that closes before sending anything may be retried).
    public private(set) var hasReceivedBytes = false

    /// - Parameter requestWasHEAD: a response to HEAD has no body whatever its headers say.
    public init(maxHeadBytes: Int = 64 * 1024, maxLineBytes: Int = 4096, requestWasHEAD: Bool = false) {
        self.maxHeadBytes = maxHeadBytes
        self.maxLineBytes = maxLineBytes
        self.requestWasHEAD = requestWasHEAD
    }

    /// Whether the whole response was parsed.
    public var isComplete: Bool { state == .done }

    /// Whether the body runs until the connection closes (so the connection cannot be reused).
    public var isCloseDelimited: Bool { state == .untilClose }

    /// Parses `bytes`; throws on malformed framing (the parser then stays failed).
    public mutating func feed(_ bytes: [UInt8]) throws(HTTPResponseParseError) -> [Event] {
        var events: [Event] = []
        try bytes.withUnsafeBufferPointer { (buffer) throws(HTTPResponseParseError) in
            events = try feed(buffer)
        }
        return events
    }

    /// Parses `bytes`; throws on malformed framing (the parser then stays failed).
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPResponseParseError) -> [Event] {
        if case .failed(let error) = state { throw error }
        if !bytes.isEmpty { hasReceivedBytes = true }
        var events: [Event] = []
        do {
            try consume(bytes, into: &events)
        } catch {
            state = .failed(error)
            throw error
        }
        return events
    }

    /// The connection ended: completes a close-delimited body, else refuses a truncated response.
    public mutating func finish() throws(HTTPResponseParseError) -> [Event] {
        switch state {
        case .done:
            return []
        case .untilClose:
            state = .done
            return [.end]
        case .failed(let error):
            throw error
        case .head:
            state = .failed(.truncatedHead)
            throw .truncatedHead
        default:
            state = .failed(.truncatedBody)
            throw .truncatedBody
        }
    }

    private mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [Event]) throws(HTTPResponseParseError) {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .head:
                index = try scanHead(bytes, from: index, into: &events)
            case .fixed(let remaining):
                let take = min(remaining, count - index)
                events.append(.body(Array(bytes[index..<index + take])))
                index += take
                if take == remaining {
                    finishBody(into: &events)
                } else {
                    state = .fixed(remaining: remaining - take)
                }
            case .chunkData(let remaining):
                let take = min(remaining, count - index)
                events.append(.body(Array(bytes[index..<index + take])))
                index += take
                state = take == remaining ? .chunkDataEnd(matched: 0) : .chunkData(remaining: remaining - take)
            case .chunkDataEnd(let matched):
                let expected = matched == 0 ? HTTPByteClass.cr : HTTPByteClass.lf
                guard bytes[index] == expected else { throw .missingChunkTerminator }
                index += 1
                state = matched == 0 ? .chunkDataEnd(matched: 1) : .chunkSize
            case .chunkSize, .trailers:
                index = try scanLine(bytes, from: index, into: &events)
            case .untilClose:
                events.append(.body(Array(bytes[index..<count])))
                index = count
            case .done:
                throw .unexpectedData
            case .failed(let error):
                throw error
            }
        }
    }

    mutating func finishBody(into events: inout [Event]) {
        events.append(.end)
        state = .done
    }
}
