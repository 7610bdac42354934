// Reading a few members of an object without building the rest: the hot upstream stream events.

extension JSONReader {
    /// Reads one JSON text that must be an object and builds only the values of the members named
    /// in `names` (in that order in the result; nil for a missing member). Every other member is
    /// checked as strictly as `read` checks it (syntax, UTF-8, escapes, number range, depth, a name
    /// repeated in the object) but not built, so a text `read` refuses is refused here too.
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
        var seen: [String] = []  // a handful of names: a linear search beats hashing
        seen.reserveCapacity(8)
        try reader.readList(closing: UInt8(ascii: "}")) { (reader: inout JSONReader) throws(JSONReadError) in
            let nameOffset = reader.index
            let name = try reader.readMemberName()
            if seen.contains(name) { throw JSONReadError(offset: nameOffset, reason: .duplicateKey(name)) }
            seen.append(name)
            if let slot = names.firstIndex(of: name) {
                found[slot] = try reader.readValue(depth: 1)
            } else {
                try reader.skipValue(depth: 1)
            }
        }
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("trailing bytes after the value") }
        return found
    }

    /// Reads `"name"` and the `:` after it, leaving `index` at the value.
    private mutating func readMemberName() throws(JSONReadError) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
        let name = try readString()
        try skipColon()
        return name
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
