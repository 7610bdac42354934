// Server-sent events from body bytes that arrive in arbitrary pieces.

/// One event block: `event:` type, joined `data:` lines, and any comment lines.
public struct TestSSEEvent: Sendable, Equatable {
    /// The `event:` field (nil when absent).
    public var event: String?
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// Comment lines (`: keep-alive` gives `keep-alive`).
    public var comments: [String]

    public init(event: String?, data: String, comments: [String] = []) {
        self.event = event
        self.data = data
        self.comments = comments
    }

    /// A block with only comments.
    public var isComment: Bool { event == nil && data.isEmpty && !comments.isEmpty }
}

/// Parses SSE blocks (WHATWG HTML §9.2): lines end in LF, CRLF or CR; a blank line ends a block;
/// one space after the colon is dropped.
public struct SSEEventParser: Sendable {
    private var buffer: [UInt8] = []
    private var event: String?
    private var dataLines: [String] = []
    private var comments: [String] = []
    private var sawField = false

    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    public mutating func next() -> TestSSEEvent? {
        while let newline = buffer.firstIndex(where: { $0 == 10 || $0 == 13 }) {
            // A CR at the very end may be the first half of CRLF: wait for the next byte.
            if buffer[newline] == 13, newline == buffer.count - 1 { return nil }
            var line = Array(buffer[..<newline])
            let skip = (buffer[newline] == 13 && buffer[newline + 1] == 10) ? 2 : 1
            buffer.removeFirst(newline + skip)
            if line.isEmpty {
                guard sawField else { continue }
                let result = TestSSEEvent(event: event, data: dataLines.joined(separator: "\n"), comments: comments)
                event = nil
                dataLines = []
                comments = []
                sawField = false
                return result
            }
            sawField = true
            let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
            let name = String(decoding: line[..<colon], as: UTF8.self)
            var value = colon < line.count ? Array(line[(colon + 1)...]) : []
            if value.first == UInt8(ascii: " ") { value.removeFirst() }
            let text = String(decoding: value, as: UTF8.self)
            switch name {
            case "": comments.append(text)
            case "event": event = text
            case "data": dataLines.append(text)
            default: break
            }
            line.removeAll()
        }
        return nil
    }
}
