// Compact one-line JSON text: safe inside an SSE `data:` line or a log line.
import ByteAppending

extension JSONValue {
    /// Compact one-line serialisation (newlines in strings are escaped).
    public func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    /// The serialisation as UTF-8 bytes (the same text as `serialized()`, written straight into bytes).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(into: &out)
        return out
    }

    /// Appends the serialisation's UTF-8 bytes to `out`.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(literal: "null")
        case .bool(let b): out.append(literal: b ? "true" : "false")
        case .int(let i): DecimalBytes.append(i, to: &out)
        case .double(let d): out.append(utf8: JSONValue.format(d))
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.quote(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `text` as a JSON string literal's UTF-8 bytes.
    public static func quote(_ text: String, into out: inout [UInt8]) {
        // Fast path: most strings need no escape; their bytes are copied whole (small strings too:
        // `withUTF8` copies them out of their inline storage, where `utf8`'s contiguous storage is nil).
        var text = text
        let copied = text.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if copied { return }
        var escaped = ""
        quote(text, into: &escaped)
        out.append(utf8: escaped)
    }

    /// Appends the serialisation to `out`.
    public func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONValue.format(d)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += "," }
                JSONValue.quote(key, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }

    /// `text` as a JSON string literal, quotes included (RFC 8259 §7: `"`, `\` and controls escaped).
    public static func quoted(_ text: String) -> String {
        var out = ""
        quote(text, into: &out)
        return out
    }

    /// Appends `text` as a JSON string literal.
    public static func quote(_ text: String, into out: inout String) {
        // Fast path: most strings (ids, names, words) need no escape at all.
        var copy = text
        let plain = copy.withUTF8 { bytes in
            !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        }
        if plain {
            out += "\""
            out += text
            out += "\""
            return
        }
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Finite doubles in a form every JSON reader accepts (`1706745600.0`, `0.00002955`); non-finite
    /// ones become `null`.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 {
            return "\(Int(d)).0"
        }
        let shortest = "\(d)"
        guard shortest.contains("e") else { return shortest }
        // Plain decimal notation for small amounts (costs): 2.955e-05 → 0.00002955.
        return plainDecimal(shortest)
    }

    /// Rewrites Swift's shortest exponent form (`2.955e-05`, `1.5e+20`) in plain decimal digits.
    static func plainDecimal(_ shortest: String) -> String {
        let parts = shortest.split(separator: "e", maxSplits: 1)
        guard parts.count == 2, let exponent = Int(parts[1]) else { return shortest }
        var mantissa = Substring(parts[0])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = String(pieces[0])
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        let digits = whole + fraction
        let point = whole.count + exponent  // position of the decimal point within `digits`
        var text: String
        if point <= 0 {
            text = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            text = digits + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
        return (negative ? "-" : "") + text
    }
}
