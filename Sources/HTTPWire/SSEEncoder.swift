// Server-sent events framing (WHATWG HTML §9.2): `event:` / `data:` lines and comments.
import ByteAppending

/// Encodes server-sent events.
public enum SSEEncoder {
    /// `: keep-alive\n\n`, a comment that keeps idle streams open through proxies.
    public static let keepAlive: [UInt8] = comment("keep-alive")

    /// `event: <type>\ndata: <data>\n\n`. A `data` with line breaks becomes several `data:` lines
    /// (the client joins them with `\n`); line breaks in `type` are removed.
    public static func event(_ type: String, data: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(type.utf8.count + data.utf8.count + 16)
        out.append(literal: "event: ")
        appendType(type, into: &out)
        out.append(10)
        appendLines(prefix: "data: ", data, into: &out)
        out.append(10)
        return out
    }

    /// `event: <type>\ndata: <data>\n\n` for a payload already in bytes (one-line JSON, say): copied
    /// whole when it has no line break, else framed line by line as `event(_:data:)` does.
    public static func event(_ type: String, data: [UInt8]) -> [UInt8] {
        guard !data.contains(where: { $0 == 10 || $0 == 13 }) else {
            return event(type, data: String(decoding: data, as: UTF8.self))
        }
        var out: [UInt8] = []
        out.reserveCapacity(type.utf8.count + data.count + 16)
        out.append(literal: "event: ")
        appendType(type, into: &out)
        out.append(literal: "\ndata: ")
        out.append(contentsOf: data)
        out.append(literal: "\n\n")
        return out
    }

    /// The event type with any line break removed (copied whole when it has none).
    private static func appendType(_ type: String, into out: inout [UInt8]) {
        var type = type
        type.withUTF8 { bytes in
            if bytes.contains(where: { $0 == 10 || $0 == 13 }) {
                for byte in bytes where byte != 10 && byte != 13 { out.append(byte) }
            } else {
                out.append(contentsOf: bytes)
            }
        }
    }

    /// `: <text>\n\n`.
    public static func comment(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        appendLines(prefix: ": ", text, into: &out)
        out.append(10)
        return out
    }

    /// One `<prefix><line>\n` per line of `text` (CRLF, CR and LF all end a line).
    private static func appendLines(prefix: StaticString, _ text: String, into out: inout [UInt8]) {
        let prefixBytes = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        // Fast path: one line (a JSON payload always is) is copied whole.
        var text = text
        let oneLine = text.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 == 10 || $0 == 13 }) else { return false }
            out.append(contentsOf: prefixBytes)
            out.append(contentsOf: bytes)
            out.append(10)
            return true
        }
        if oneLine { return }
        out.append(contentsOf: prefixBytes)
        var previousWasCR = false
        for b in text.utf8 {
            if b == 13 || b == 10 {
                if !(b == 10 && previousWasCR) {
                    out.append(10)
                    out.append(contentsOf: prefixBytes)
                }
                previousWasCR = b == 13
            } else {
                out.append(b)
                previousWasCR = false
            }
        }
        out.append(10)
    }
}
