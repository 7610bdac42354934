// Splits a text/event-stream body into events (WHATWG HTML §9.2.6), across arbitrary chunk boundaries.

/// One dispatched server-sent event.
struct SSEEvent {
    /// The `event:` field, `message` when absent.
    var name: String
    /// The `data:` lines joined with LF.
    var data: [UInt8]
}

/// Reassembles lines and events from body bytes as they arrive.
struct SSEEventReader {
    static let maxLineBytes = 1 << 20

    private var line: [UInt8] = []
    private var eventName: String?
    private var data: [UInt8] = []
    private var hasData = false
    private var lastWasCR = false
    /// Comment lines seen (`: keep-alive`).
    private(set) var comments = 0

    mutating func reset() {
        line.removeAll(keepingCapacity: true)
        eventName = nil
        data.removeAll(keepingCapacity: true)
        hasData = false
        lastWasCR = false
        comments = 0
    }

    /// Feeds body bytes; `onEvent` runs for each complete event. Throws when a line exceeds the limit.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, onEvent: (SSEEvent) -> Void) throws(ResponseFramingError) {
        for byte in bytes {
            if byte == 0x0A || byte == 0x0D {
                // CRLF counts once; a lone CR or LF ends a line too.
                if byte == 0x0A && lastWasCR { lastWasCR = false; continue }
                lastWasCR = byte == 0x0D
                processLine(onEvent: onEvent)
                line.removeAll(keepingCapacity: true)
            } else {
                lastWasCR = false
                line.append(byte)
                guard line.count <= Self.maxLineBytes else { throw ResponseFramingError(reason: "SSE line over \(Self.maxLineBytes) bytes") }
            }
        }
    }

    private mutating func processLine(onEvent: (SSEEvent) -> Void) {
        if line.isEmpty {
            if hasData {
                onEvent(SSEEvent(name: eventName ?? "message", data: data))
            }
            eventName = nil
            data.removeAll(keepingCapacity: true)
            hasData = false
            return
        }
        if line[0] == UInt8(ascii: ":") {
            comments += 1
            return
        }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        var valueStart = colon < line.count ? colon + 1 : colon
        if valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
        let field = line[0..<colon]
        let value = line[valueStart...]
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            eventName = String(decoding: value, as: UTF8.self)
        }
        // `id` and `retry` are irrelevant to the harness.
    }
}
