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
    public private(set) var reconnectionTime: Int?

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String = ""
    private var lastEventId: String?
    private var comments: [String] = []
    private var commentBytes = 0
    /// The previous byte was a CR: an LF right after it belongs to the same line end.
    private var afterCR = false
    /// Bytes of a possible BOM seen at the very start of the stream (0...3), or nil once decided.
    private var bomMatched: Int? = 0

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

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

    // MARK: - Lines

    /// Skips (part of) a leading BOM; returns how many bytes of `bytes` were consumed and, when the
    /// bytes turn out not to be a BOM, the BOM bytes held back from earlier chunks that are data after all.
    private mutating func skipBOM(_ bytes: UnsafeBufferPointer<UInt8>, matched: Int) -> (Int, [UInt8]?) {
        var matched = matched
        var index = 0
        while index < bytes.count && matched < 3 {
            guard bytes[index] == Self.bom[matched] else {
                bomMatched = nil
                return (index, Array(Self.bom[0..<matched]))
            }
            matched += 1
            index += 1
        }
        bomMatched = matched == 3 ? nil : matched
        return (index, nil)
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) throws(SSEParser.Error) {
        guard !bytes.isEmpty else { return }
        guard line.count + bytes.count <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
        line.append(contentsOf: bytes)
    }

    /// Ends the current line: `rest` is its tail in the chunk, possibly after a head kept in `line`
    /// from earlier chunks. Lines wholly inside one chunk are interpreted without being copied.
    private mutating func endLine(_ rest: UnsafeBufferPointer<UInt8>) throws(SSEParser.Error) -> SSEEvent? {
        if line.isEmpty {
            guard rest.count <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
            return try interpret(rest)
        }
        try append(rest)
        var pending: [UInt8] = []
        swap(&pending, &line)
        defer {
            pending.removeAll(keepingCapacity: pending.count <= 4096)
            swap(&pending, &line)
        }
        return try pending.withUnsafeBufferPointer { buffer throws(SSEParser.Error) in try interpret(buffer) }
    }

    /// Interprets one complete line (without its line end).
    private mutating func interpret(_ line: UnsafeBufferPointer<UInt8>) throws(SSEParser.Error) -> SSEEvent? {
        guard let base = line.baseAddress, !line.isEmpty else { return dispatch() }
        if base[0] == Self.colon {
            if keepsComments { try keepComment(UnsafeBufferPointer(rebasing: line.dropFirst())) }
            return nil
        }
        let name: UnsafeBufferPointer<UInt8>
        var value: UnsafeBufferPointer<UInt8>
        if let colon = memchr(base, Int32(Self.colon), line.count) {
            let colonIndex = base.distance(to: colon.assumingMemoryBound(to: UInt8.self))
            name = UnsafeBufferPointer(start: base, count: colonIndex)
            var valueStart = colonIndex + 1
            if valueStart < line.count && base[valueStart] == Self.space { valueStart += 1 }
            value = UnsafeBufferPointer(start: base + valueStart, count: line.count - valueStart)
        } else {
            name = line
            value = UnsafeBufferPointer(start: base, count: 0)
        }
        switch Field(name) {
        case .event:
            eventType = String(decoding: value, as: UTF8.self)
        case .data:
            guard data.count + value.count + 1 <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
            data.append(contentsOf: value)
            data.append(Self.lf)
            hasData = true
        case .id:
            if memchr(value.baseAddress ?? base, 0, value.count) == nil { lastEventId = String(decoding: value, as: UTF8.self) }
        case .retry:
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                reconnectionTime = Int(String(decoding: value, as: UTF8.self))
            }
        case .unknown:
            break  // unknown fields are ignored
        }
        return nil
    }

    /// The field names the standard defines.
    private enum Field {
        case event, data, id, retry, unknown

        init(_ name: UnsafeBufferPointer<UInt8>) {
            func equals(_ literal: StaticString) -> Bool {
                guard literal.utf8CodeUnitCount == name.count, let bytes = name.baseAddress else { return false }
                return memcmp(literal.utf8Start, bytes, name.count) == 0
            }
            if equals("data") { self = .data }
            else if equals("event") { self = .event }
            else if equals("id") { self = .id }
            else if equals("retry") { self = .retry }
            else { self = .unknown }
        }
    }

    /// Keeps a comment's text, without one leading space; kept comments count towards the event limit.
    private mutating func keepComment(_ text: UnsafeBufferPointer<UInt8>) throws(SSEParser.Error) {
        let trimmed = text.first == Self.space ? UnsafeBufferPointer(rebasing: text.dropFirst()) : text
        guard data.count + commentBytes + trimmed.count + 1 <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
        commentBytes += trimmed.count + 1
        comments.append(String(decoding: trimmed, as: UTF8.self))
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            data.removeAll(keepingCapacity: data.count <= 4096)
            hasData = false
            eventType = ""
            if !comments.isEmpty {
                comments.removeAll()
                commentBytes = 0
            }
        }
        guard hasData || !comments.isEmpty else { return nil }
        let text = hasData ? String(decoding: data.dropLast(), as: UTF8.self) : ""
        return SSEEvent(event: eventType.isEmpty ? "message" : eventType, data: text, lastEventId: lastEventId, comments: comments)
    }
}
