// Incremental server-sent events parser (WHATWG HTML, "Parsing an event stream").
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a byte stream, fed in chunks of any size, into `SSEEvent`s.
///
/// Rules followed (HTML Living Standard §9.2.6): lines end in CR, LF or CRLF — a CR at the end of one
/// chunk and an LF at the start of the next are one line end; one leading UTF-8 BOM is skipped; a
/// line starting with `:` is a comment; `field:value` with one optional space after the colon; a line
/// without a colon is a field with an empty value; `data` lines are joined by LF; `event` sets the
/// type; `id` (without NUL) sets the last event id; `retry` (ASCII digits only) sets the reconnection
/// time; other fields are ignored; a blank line dispatches the event unless its data is empty; an
/// incomplete event at the end of the stream is discarded.
///
/// With `keepsComments` (for test clients and the load harness) comment lines are kept in the
/// event's `comments`, and a block of comments only is dispatched too, with empty data.
///
/// Memory is bounded: a line, or the data of one event, longer than `maxEventBytes` throws
/// `SSEParser.Error.eventTooLarge` so a hostile upstream cannot exhaust memory.
public struct SSEParser: Sendable {
    /// Why the stream was rejected.
    public enum Error: Swift.Error, Sendable, Equatable {
        /// A line or an event's data grew past the limit.
        case eventTooLarge(limit: Int)
    }

    /// Largest line and largest accumulated event data, in bytes.
    public let maxEventBytes: Int
    /// Whether comment lines are kept (see the type's documentation).
    public let keepsComments: Bool
    /// The last `retry:` value seen, in milliseconds.
    public internal(set) var reconnectionTime: Int?

    var line: [UInt8] = []
    var data: [UInt8] = []
    var hasData = false
    var eventType: String = ""
    var lastEventId: String?
    var comments: [String] = []
    var commentBytes = 0
    /// The previous byte was a CR: an LF right after it belongs to the same line end.
    var afterCR = false
    /// Bytes of a possible BOM seen at the very start of the stream (0...3), or nil once decided.
    var bomMatched: Int? = 0

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let colon = UInt8(ascii: ":")
    static let space = UInt8(ascii: " ")

    /// - Parameters:
    ///   - maxEventBytes: largest line and largest event data accepted.
    ///   - keepsComments: keep comment lines and dispatch comment-only blocks.
    public init(maxEventBytes: Int = 8 * 1024 * 1024, keepsComments: Bool = false) {
        self.maxEventBytes = maxEventBytes
        self.keepsComments = keepsComments
    }

    /// Consumes the next chunk and returns the events it completed, in order.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(SSEParser.Error) -> [SSEEvent] {
        let result: Result<[SSEEvent], SSEParser.Error>? = chunk.withContiguousStorageIfAvailable { buffer in
            do throws(SSEParser.Error) {
                return .success(try feed(buffer: buffer))
            } catch {
                return .failure(error)
            }
        }
        if let result { return try result.get() }
        let copy = Array(chunk)
        return try copy.withUnsafeBufferPointer { buffer throws(SSEParser.Error) in try feed(buffer: buffer) }
    }

    private mutating func feed(buffer whole: UnsafeBufferPointer<UInt8>) throws(SSEParser.Error) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var buffer = whole
        if let matched = bomMatched {
            let (skipped, heldBack) = skipBOM(buffer, matched: matched)
            if let heldBack { line.append(contentsOf: heldBack) }
            buffer = UnsafeBufferPointer(rebasing: buffer[skipped...])
            if buffer.isEmpty { return events }
        }
        guard let base = buffer.baseAddress else { return events }
        let end = buffer.count
        var start = 0
        if afterCR, base[0] == Self.lf, line.isEmpty {
            // The LF of a CRLF whose CR ended the previous chunk.
            start = 1
        }
        afterCR = false
        while start < end {
            // memchr finds line ends fast (the stream is mostly long `data:` lines).
            let remaining = end - start
            let lfPointer = memchr(base + start, Int32(Self.lf), remaining)
            let crLimit = lfPointer.map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) - start } ?? remaining
            let crPointer = memchr(base + start, Int32(Self.cr), crLimit)
            let lineEnd: Int
            if let crPointer {
                lineEnd = base.distance(to: crPointer.assumingMemoryBound(to: UInt8.self))
            } else if let lfPointer {
                lineEnd = base.distance(to: lfPointer.assumingMemoryBound(to: UInt8.self))
            } else {
                try append(UnsafeBufferPointer(start: base + start, count: remaining))
                return events
            }
            if let event = try endLine(UnsafeBufferPointer(start: base + start, count: lineEnd - start)) { events.append(event) }
            start = lineEnd + 1
            if base[lineEnd] == Self.cr {
                if start < end {
                    if base[start] == Self.lf { start += 1 }
                } else {
                    afterCR = true  // an LF starting the next chunk belongs to this line end
                }
            }
        }
        return events
    }

    /// The stream ended. Per the standard an event not terminated by a blank line is discarded; the
    /// parser is reset so it can be reused.
    public mutating func finish() {
        self = SSEParser(maxEventBytes: maxEventBytes, keepsComments: keepsComments)
    }
}
