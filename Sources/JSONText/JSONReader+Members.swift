// Reading a few members of an object without building the rest: the hot upstream stream events.

extension JSONReader {
    /// Reads one JSON text that must be an object and builds only the values of the members named
    /// in `names` (ASCII names; in that order in the result; nil for a missing member). Every other
    /// member is checked as strictly as `read` checks it (syntax, UTF-8, escapes, number range,
    /// depth, a name repeated in the object) but not built, so a text `read` refuses is refused here
    /// too. Member names without escapes are compared as bytes, without building a `String`.
    public static func readMembers(_ bytes: [UInt8], named names: [String], options: Options = Options()) throws(JSONReadError) -> [JSONValue?] {
        var reader = JSONReader(bytes: bytes, options: options)
        reader.skipWhitespace()
        guard reader.index < bytes.count, bytes[reader.index] == UInt8(ascii: "{") else {
            // Not an object: a JSON error if it is not JSON at all, else a shape error.
            _ = try read(bytes, options: options)
            throw JSONReadError(offset: reader.index, reason: .syntax("expected an object"))
        }
        try reader.checkDepth(1)
        reader.index += 1
        var found = [JSONValue?](repeating: nil, count: names.count)
        var seen = SeenNames()
        try reader.readList(closing: UInt8(ascii: "}")) { (reader: inout JSONReader) throws(JSONReadError) in
            guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else {
                throw reader.error("expected a member name")
            }
            let nameOffset = reader.index
            let slot: Int?
            if let range = reader.scanPlainName() {
                if seen.contains(range, in: reader.bytes) {
                    throw JSONReadError(offset: nameOffset, reason: .duplicateKey(String(decoding: reader.bytes[range], as: UTF8.self)))
                }
                seen.plain.append(range)
                slot = names.firstIndex { reader.bytes.same(range, as: $0) }
            } else {
                let name = try reader.readString()
                if seen.contains(name, in: reader.bytes) { throw JSONReadError(offset: nameOffset, reason: .duplicateKey(name)) }
                seen.other.append(name)
                slot = names.firstIndex(of: name)
            }
            try reader.skipColon()
            if let slot {
                found[slot] = try reader.readValue(depth: 1)
            } else {
                try reader.skipValue(depth: 1)
            }
        }
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("trailing bytes after the value") }
        return found
    }

    /// The names of one object read so far: plain ASCII ones as byte ranges, the others as strings.
    private struct SeenNames {
        var plain: [Range<Int>] = []
        var other: [String] = []

        func contains(_ range: Range<Int>, in bytes: [UInt8]) -> Bool {
            plain.contains { bytes.same($0, as: range) }
                || (!other.isEmpty && other.contains(String(decoding: bytes[range], as: UTF8.self)))
        }

        /// By `String` equality (canonical equivalence), as `read`'s set of names compares them.
        func contains(_ name: String, in bytes: [UInt8]) -> Bool {
            other.contains(name) || plain.contains { String(decoding: bytes[$0], as: UTF8.self) == name }
        }
    }

    /// A member name that is printable ASCII without escapes: its bytes' range, `index` past the
    /// closing quote. Nil (and `index` unmoved) for any other name, which `readString` then reads.
    private mutating func scanPlainName() -> Range<Int>? {
        var position = index + 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let range = (index + 1)..<position
                index = position + 1
                return range
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
            position += 1
        }
        return nil
    }

    private mutating func skipColon() throws(JSONReadError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
        skipWhitespace()
    }

    /// Checks one value as strictly as `readValue(depth:)` without building it.
    mutating func skipValue(depth: Int) throws(JSONReadError) {
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try checkDepth(depth + 1)
            index += 1
            let checksDuplicates = options.duplicateKeys == .refused
            var names = Set<String>()
            try readList(closing: UInt8(ascii: "}")) { (reader: inout JSONReader) throws(JSONReadError) in
                guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else {
                    throw reader.error("expected a member name")
                }
                if checksDuplicates {
                    let nameOffset = reader.index
                    let name = try reader.readString()
                    if !names.insert(name).inserted { throw JSONReadError(offset: nameOffset, reason: .duplicateKey(name)) }
                } else {
                    try reader.skipString()
                }
                try reader.skipColon()
                try reader.skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            try checkDepth(depth + 1)
            index += 1
            try readList(closing: UInt8(ascii: "]")) { (reader: inout JSONReader) throws(JSONReadError) in
                try reader.skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expect("true")
        case UInt8(ascii: "f"): try expect("false")
        case UInt8(ascii: "n"): try expect("null")
        default: try skipNumber()
        }
    }
}

extension [UInt8] {
    /// Whether the bytes in `a` and in `b` are the same (lengths first: most names differ there).
    fileprivate func same(_ a: Range<Int>, as b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = a.lowerBound, j = b.lowerBound
        while i < a.upperBound {
            if self[i] != self[j] { return false }
            i += 1
            j += 1
        }
        return true
    }

    /// Whether the bytes in `range` are `name`'s UTF-8.
    fileprivate func same(_ range: Range<Int>, as name: String) -> Bool {
        guard name.utf8.count == range.count else { return false }
        // `withUTF8` also reaches a small string's bytes (its `utf8` has no contiguous storage).
        var name = name
        return name.withUTF8 { other in
            var i = range.lowerBound
            for byte in other {
                if self[i] != byte { return false }
                i += 1
            }
            return true
        }
    }
}
