// libFuzzer target: HTTPWire's SSEParser against a straightforward reference reading of the
// WHATWG event-stream rules, fed whole and in random pieces. Built by LoadTests/Fuzz/run.sh.

/// Input layout: byte 0 picks the event size limit, byte 1 seeds the split points, the rest is the stream.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSEParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let limit = 16 + Int(data[0]) * 4  // 16…1036: small enough that the limit is exercised
    let stream = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let reference = SSEReference.parse(stream, limit: limit)

    // 1. The whole stream in one piece must match the reference exactly.
    var whole = SSEParser(maxEventBytes: limit)
    let wholeEvents: [SSEEvent]
    do {
        wholeEvents = try whole.feed(stream)
        guard !reference.overflowed else { fatalError("parser accepted a line or event over \(limit) bytes") }
        guard wholeEvents == reference.events else {
            fatalError("whole-stream events differ from the reference:\n\(wholeEvents)\nvs\n\(reference.events)")
        }
    } catch {
        guard reference.overflowed else { fatalError("parser threw \(error) but nothing exceeds \(limit) bytes") }
        wholeEvents = []
    }

    // 2. The same stream in random pieces gives the same events (or a prefix of them, then the same error).
    var generator = SplitPoints(seed: UInt64(data[1]) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(size))
    var pieces = SSEParser(maxEventBytes: limit)
    var pieceEvents: [SSEEvent] = []
    var offset = 0
    var threw = false
    while offset < stream.count {
        let length = min(stream.count - offset, generator.nextLength())
        do {
            pieceEvents += try pieces.feed(stream[offset..<(offset + length)])
        } catch {
            threw = true
            break
        }
        offset += length
    }
    if reference.overflowed {
        guard threw else { fatalError("split feeding accepted what whole feeding refused") }
        guard pieceEvents.count <= reference.events.count, Array(reference.events.prefix(pieceEvents.count)) == pieceEvents else {
            fatalError("split feeding produced events the reference does not have before its error")
        }
    } else {
        guard !threw else { fatalError("split feeding threw where whole feeding did not") }
        guard pieceEvents == wholeEvents else {
            fatalError("split feeding differs from whole feeding:\n\(pieceEvents)\nvs\n\(wholeEvents)")
        }
    }

    // 3. finish() resets: the parser reads a fresh stream as a new parser would.
    pieces.finish()
    let again = try? pieces.feed(Array("data: x\n\n".utf8))
    guard again == [SSEEvent(event: "message", data: "x", lastEventId: nil)] else { fatalError("finish() did not reset the parser") }
    return 0
}

/// Pseudo-random piece lengths: mostly tiny (1–4 bytes) to hit every boundary, sometimes larger.
struct SplitPoints {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }

    mutating func nextLength() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state % 4 == 0 ? Int((state >> 8) % 64) + 1 : Int((state >> 8) % 4) + 1
    }
}

/// The event-stream rules written out plainly over the whole input (HTML Living Standard §9.2.6).
enum SSEReference {
    struct Result {
        var events: [SSEEvent] = []
        /// A line or an event's data went over the limit; `events` holds those dispatched before.
        var overflowed = false
    }

    static func parse(_ input: [UInt8], limit: Int) -> Result {
        var bytes = input[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        // Split into lines at CRLF, CR or LF; the text after the last line end is an unfinished line.
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == 0x0D || b == 0x0A {
                lines.append(bytes[start..<i])
                if b == 0x0D, i + 1 < bytes.endIndex, bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        let unfinished = bytes[start...]

        var result = Result()
        var data: [UInt8] = []
        var hasData = false
        var eventType = ""
        var lastEventId: String?
        for line in lines {
            if line.count > limit { result.overflowed = true; return result }
            if line.isEmpty {
                if hasData {
                    result.events.append(SSEEvent(
                        event: eventType.isEmpty ? "message" : eventType,
                        data: String(decoding: data.dropLast(), as: UTF8.self),
                        lastEventId: lastEventId))
                }
                data = []
                hasData = false
                eventType = ""
                continue
            }
            if line.first == UInt8(ascii: ":") { continue }
            var name = line
            var value: ArraySlice<UInt8> = []
            if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                name = line[..<colon]
                value = line[(colon + 1)...]
                if value.first == 0x20 { value = value.dropFirst() }
            }
            if name.elementsEqual("event".utf8) {
                eventType = String(decoding: value, as: UTF8.self)
            } else if name.elementsEqual("data".utf8) {
                if data.count + value.count + 1 > limit { result.overflowed = true; return result }
                data += value
                data.append(0x0A)
                hasData = true
            } else if name.elementsEqual("id".utf8) {
                if !value.contains(0) { lastEventId = String(decoding: value, as: UTF8.self) }
            }
        }
        if unfinished.count > limit { result.overflowed = true }
        return result
    }
}
