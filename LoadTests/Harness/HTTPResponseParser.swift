// Incremental HTTP/1.1 response reader: status line, header fields, then the body by its framing
// (RFC 9112 §6.3: chunked, Content-Length, or until the connection closes).

/// The parsed status line and header fields of a response.
struct ResponseHead: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    /// Whether the server keeps the connection open after this response.
    var keepAlive: Bool

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }
}

/// What went wrong reading a response; the connection cannot be reused after one.
struct ResponseFramingError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Reads one response at a time from bytes as they arrive; call `reset()` before the next one.
struct HTTPResponseParser {
    static let maxHeadBytes = 64 * 1024

    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var state: State = .head
    private var line: [UInt8] = []
    private var headBuffer: [UInt8] = []
    private(set) var head: ResponseHead?
    /// True when the request was `HEAD` (no body whatever the headers say).
    var requestWasHead = false

    var isComplete: Bool { if case .done = state { return true } else { return false } }
    /// True when the body runs until the server closes the connection.
    var readsUntilClose: Bool { if case .untilClose = state { return true } else { return false } }
    /// True once any byte of a response has been fed.
    private(set) var startedResponse = false

    mutating func reset() {
        state = .head
        line.removeAll(keepingCapacity: true)
        headBuffer.removeAll(keepingCapacity: true)
        head = nil
        requestWasHead = false
        startedResponse = false
    }

    /// Feeds received bytes. `onHead` runs once the head is complete, `onBody` with each piece of
    /// de-chunked body. Returns the number of bytes consumed (less than given only once the response
    /// is complete: the rest belongs to a following response).
    mutating func feed(
        _ bytes: UnsafeBufferPointer<UInt8>,
        onHead: (ResponseHead) -> Void,
        onBody: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(ResponseFramingError) -> Int {
        var i = 0
        if !bytes.isEmpty { startedResponse = true }
        while i < bytes.count {
            switch state {
            case .head:
                // Find the end of the head (CRLFCRLF, or LFLF from lenient servers).
                let byte = bytes[i]
                headBuffer.append(byte)
                i += 1
                guard headBuffer.count <= Self.maxHeadBytes else { throw ResponseFramingError(reason: "response head over \(Self.maxHeadBytes) bytes") }
                if byte == 0x0A, headBuffer.count >= 2 {
                    let n = headBuffer.count
                    let endsHead = headBuffer[n - 2] == 0x0A || (n >= 4 && headBuffer[n - 2] == 0x0D && headBuffer[n - 3] == 0x0A)
                    if endsHead {
                        let parsed = try Self.parseHead(headBuffer)
                        head = parsed
                        onHead(parsed)
                        state = try bodyState(for: parsed)
                    }
                }
            case .fixedBody(let remaining):
                let n = min(remaining, bytes.count - i)
                onBody(UnsafeBufferPointer(rebasing: bytes[i..<(i + n)]))
                i += n
                state = remaining - n == 0 ? .done : .fixedBody(remaining: remaining - n)
            case .chunkSize:
                let byte = bytes[i]
                i += 1
                if byte == 0x0A {
                    let size = try Self.parseChunkSize(line)
                    line.removeAll(keepingCapacity: true)
                    state = size == 0 ? .trailers : .chunkData(remaining: size)
                } else {
                    line.append(byte)
                    guard line.count <= 1024 else { throw ResponseFramingError(reason: "chunk size line too long") }
                }
            case .chunkData(let remaining):
                let n = min(remaining, bytes.count - i)
                onBody(UnsafeBufferPointer(rebasing: bytes[i..<(i + n)]))
                i += n
                state = remaining - n == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - n)
            case .chunkDataEnd:
                let byte = bytes[i]
                i += 1
                if byte == 0x0A {
                    guard line.isEmpty || line == [0x0D] else { throw ResponseFramingError(reason: "chunk data not followed by CRLF") }
                    line.removeAll(keepingCapacity: true)
                    state = .chunkSize
                } else {
                    line.append(byte)
                    guard line.count <= 1 else { throw ResponseFramingError(reason: "chunk data longer than its size") }
                }
            case .trailers:
                let byte = bytes[i]
                i += 1
                if byte == 0x0A {
                    let empty = line.isEmpty || line == [0x0D]
                    line.removeAll(keepingCapacity: true)
                    if empty { state = .done }
                } else {
                    line.append(byte)
                    guard line.count <= 8192 else { throw ResponseFramingError(reason: "trailer line too long") }
                }
            case .untilClose:
                onBody(UnsafeBufferPointer(rebasing: bytes[i...]))
                i = bytes.count
            case .done:
                return i
            }
        }
        return i
    }

    /// Called when the server closed the connection; a body framed by the close ends here.
    mutating func finishAtClose() -> Bool {
        if case .untilClose = state { state = .done; return true }
        return isComplete
    }

    private func bodyState(for head: ResponseHead) throws(ResponseFramingError) -> State {
        // RFC 9112 §6.3: no body for HEAD, 1xx, 204, 304.
        if requestWasHead || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) { return .done }
        let transferEncodings = head.headers.filter { $0.name.lowercased() == "transfer-encoding" }.map(\.value)
        if !transferEncodings.isEmpty {
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces().lowercased() }
            guard codings.last == "chunked" else { return .untilClose }
            return .chunkSize
        }
        let lengths = head.headers.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), let length = Int(first.trimmingSpaces()), length >= 0 else {
                throw ResponseFramingError(reason: "invalid Content-Length \(lengths)")
            }
            return length == 0 ? .done : .fixedBody(remaining: length)
        }
        return .untilClose
    }

    static func parseHead(_ bytes: [UInt8]) throws(ResponseFramingError) -> ResponseHead {
        // Split on LF bytes (a String would treat CRLF as one Character), dropping a CR before each.
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> Substring in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return Substring(String(decoding: trimmed, as: UTF8.self))
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let statusLine = lines.first else { throw ResponseFramingError(reason: "empty response head") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
            throw ResponseFramingError(reason: "bad status line \(String(statusLine.prefix(80)).debugDescription)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                throw ResponseFramingError(reason: "header line without ':' \(String(line.prefix(80)).debugDescription)")
            }
            headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...]).trimmingSpaces()))
        }
        let connection = headers.filter { $0.name.lowercased() == "connection" }.map { $0.value.lowercased() }
        let http10 = parts[0] == "HTTP/1.0"
        let keepAlive = http10 ? connection.contains("keep-alive") : !connection.contains("close")
        return ResponseHead(status: status, headers: headers, keepAlive: keepAlive)
    }

    static func parseChunkSize(_ line: [UInt8]) throws(ResponseFramingError) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: ";"), 0x0D, 0x20, 0x09:
                guard digits > 0 else { throw ResponseFramingError(reason: "chunk size missing") }
                return size
            default:
                throw ResponseFramingError(reason: "invalid chunk size byte \(byte)")
            }
            digits += 1
            guard digits <= 15 else { throw ResponseFramingError(reason: "chunk size too large") }
            size = size << 4 | value
        }
        guard digits > 0 else { throw ResponseFramingError(reason: "chunk size missing") }
        return size
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let f = slice.first, f == " " || f == "\t" { slice.removeFirst() }
        while let l = slice.last, l == " " || l == "\t" { slice.removeLast() }
        return String(slice)
    }
}
