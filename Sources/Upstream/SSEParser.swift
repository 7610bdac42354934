// Incremental server-sent events parser (WHATWG HTML, "Parsing an event stream").

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
    /// The last `retry:` value seen, in milliseconds.
    public private(set) var reconnectionTime: Int?

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String = ""
    private var lastEventId: String?
    /// The previous byte was a CR: an LF right after it belongs to the same line end.
    private var afterCR = false
    /// Bytes of a possible BOM seen at the very start of the stream (0...3), or nil once decided.
    private var bomMatched: Int? = 0

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

    public init(maxEventBytes: Int = 8 * 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    /// Consumes the next chunk and returns the events it completed, in order.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(SSEParser.Error) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var bytes = ArraySlice(chunk)
        if let matched = bomMatched {
            bytes = skipBOM(bytes, matched: matched)
            if bytes.isEmpty { return events }
        }
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == Self.cr || byte == Self.lf {
                if byte == Self.lf && afterCR && index == start && line.isEmpty {
                    // The LF of a CRLF whose CR ended the previous line (possibly in the previous chunk).
                    afterCR = false
                    index += 1
                    start = index
                    continue
                }
                try append(bytes[start..<index])
                if let event = try processLine() { events.append(event) }
                afterCR = byte == Self.cr
                index += 1
                start = index
            } else {
                afterCR = false
                index += 1
            }
        }
        try append(bytes[start..<bytes.endIndex])
        return events
    }

    /// The stream ended. Per the standard an event not terminated by a blank line is discarded; the
    /// parser is reset so it can be reused.
    public mutating func finish() {
        self = SSEParser(maxEventBytes: maxEventBytes)
    }

    // MARK: - Lines

    private mutating func skipBOM(_ bytes: ArraySlice<UInt8>, matched: Int) -> ArraySlice<UInt8> {
        var matched = matched
        var index = bytes.startIndex
        while index < bytes.endIndex && matched < 3 {
            guard bytes[index] == Self.bom[matched] else {
                // Not a BOM after all: the bytes held back so far are ordinary data.
                bomMatched = nil
                return ArraySlice(Self.bom[0..<matched]) + bytes[index...]
            }
            matched += 1
            index += 1
        }
        bomMatched = matched == 3 ? nil : matched
        return bytes[index...]
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) throws(SSEParser.Error) {
        guard !bytes.isEmpty else { return }
        guard line.count + bytes.count <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
        line.append(contentsOf: bytes)
    }

    private mutating func processLine() throws(SSEParser.Error) -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: line.count <= 4096) }
        if line.isEmpty { return dispatch() }
        if line[0] == Self.colon { return nil }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colonIndex = line.firstIndex(of: Self.colon) {
            name = line[..<colonIndex]
            value = line[(colonIndex + 1)...]
            if value.first == Self.space { value = value.dropFirst() }
        } else {
            name = line[...]
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "data":
            guard data.count + value.count + 1 <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
            data.append(contentsOf: value)
            data.append(Self.lf)
            hasData = true
        case "id":
            if !value.contains(0) { lastEventId = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                reconnectionTime = Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break  // unknown fields are ignored
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            data.removeAll(keepingCapacity: data.count <= 4096)
            hasData = false
            eventType = ""
        }
        guard hasData else { return nil }
        let text = String(decoding: data.dropLast(), as: UTF8.self)
        return SSEEvent(event: eventType.isEmpty ? "message" : eventType, data: text, lastEventId: lastEventId)
    }
}
