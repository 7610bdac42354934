// SSEParser, line by line: BOM, line assembly, field interpretation, event dispatch.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SSEParser {
    /// Skips (part of) a leading BOM; returns how many bytes of `bytes` were consumed and, when the
    /// bytes turn out not to be a BOM, the BOM bytes held back from earlier chunks that are data after all.
    mutating func skipBOM(_ bytes: UnsafeBufferPointer<UInt8>, matched: Int) -> (Int, [UInt8]?) {
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

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) throws(SSEParser.Error) {
        guard !bytes.isEmpty else { return }
        guard line.count + bytes.count <= maxEventBytes else { throw .eventTooLarge(limit: maxEventBytes) }
        line.append(contentsOf: bytes)
    }

    /// Ends the current line: `rest` is its tail in the chunk, possibly after a head kept in `line`
    /// from earlier chunks. Lines wholly inside one chunk are interpreted without being copied.
    mutating func endLine(_ rest: UnsafeBufferPointer<UInt8>) throws(SSEParser.Error) -> SSEEvent? {
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
