// Strings and numbers: the parts of RFC 8259 where readers most often disagree.

extension JSONReader {
    /// Reads a string token (RFC 8259 §7); `index` is at the opening quote. A string without
    /// escapes (the common case) becomes a `String` straight from the input bytes.
    mutating func readString() throws(JSONReadError) -> String {
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let slice = bytes[start..<index]
                index += 1
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                return try readEscapedString(from: start)
            default:
                guard byte >= 0x20 else { throw error("a control character in a string") }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// The rest of a string that has escapes: `start` is its first byte, `index` at the first backslash.
    private mutating func readEscapedString(from start: Int) throws(JSONReadError) -> String {
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                try readEscape(into: &out)
            default:
                guard byte >= 0x20 else { throw error("a control character in a string") }
                out.append(byte)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// Checks a string token as strictly as `readString` without building it; `index` is at the opening quote.
    mutating func skipString() throws(JSONReadError) {
        index += 1
        let start = index
        var ascii = true
        var unescaped: [UInt8] = []  // escapes are checked by decoding them; allocated only if there are any
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                // Escapes are ASCII and decode to whole scalars: the raw bytes are valid UTF-8 exactly when the decoded ones are.
                if !ascii, String(validating: bytes[start..<index], as: UTF8.self) == nil {
                    index += 1
                    throw error("a string is not valid UTF-8")
                }
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 1
                try readEscape(into: &unescaped)
            default:
                guard byte >= 0x20 else { throw error("a control character in a string") }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
        }
        throw error("unterminated string")
    }

    mutating func readEscape(into out: inout [UInt8]) throws(JSONReadError) {
        guard index < bytes.count else { throw error("unexpected end in an escape") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("a lone high surrogate")
                }
                index += 2
                let low = try readHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("a high surrogate without its low half") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("a lone low surrogate") }
            out.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw error("an unknown escape")
        }
    }

    private mutating func readHex4() throws(JSONReadError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("a bad hex digit in a \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Reads a number (RFC 8259 §6): `.int` when it is an integer that fits, else a finite `.double`.
    mutating func readNumber() throws(JSONReadError) -> JSONValue {
        let start = index
        let integral = try scanNumber()
        return try number(from: start, integral: integral)
    }

    /// Checks a number as strictly as `readNumber` without keeping it.
    mutating func skipNumber() throws(JSONReadError) {
        let start = index
        let integral = try scanNumber()
        // Up to 18 digits always fit an Int; anything else is converted to check its range.
        if integral, index - start <= 18 { return }
        _ = try number(from: start, integral: integral)
    }

    /// Moves past a number's syntax; returns whether it has no fraction or exponent.
    private mutating func scanNumber() throws(JSONReadError) -> Bool {
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a value") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in the exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return integral
    }

    /// The value of the number token from `start` to `index`.
    private func number(from start: Int, integral: Bool) throws(JSONReadError) -> JSONValue {
        if integral, index - start <= 18 {  // fits an Int: no text to build
            var position = start
            let negative = bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            var n = 0
            while position < index {
                n = n * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                position += 1
            }
            return .int(negative ? -n : n)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let n = Int(text) { return .int(n) }
        guard let d = Double(text), d.isFinite else { throw error("a number out of range") }
        return .double(d)
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
