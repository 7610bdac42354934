// A strict RFC 8259 reader: one pass from UTF-8 bytes to a JSONValue, refusing duplicate member names.

/// Reads one JSON text. Strict: no trailing bytes, no BOM, no comments, no trailing commas, only the
/// four JSON whitespace bytes, strings must be valid UTF-8 with valid escapes (surrogates paired),
/// numbers must be finite. Members keep their order; a repeated member name is refused as it is read.
public struct JSONReader {
    /// Where a repeated member name is refused.
    public enum DuplicateKeys: Sendable {
        /// In every object.
        case refused
        /// Only in the outermost object (deeper values are kept as written, every member in order).
        case refusedAtTopLevel
    }

    /// How strict to be beyond RFC 8259.
    public struct Options: Sendable {
        /// Deepest nesting of arrays and objects accepted.
        public var maxDepth: Int
        public var duplicateKeys: DuplicateKeys

        public init(maxDepth: Int = 512, duplicateKeys: DuplicateKeys = .refused) {
            self.maxDepth = maxDepth
            self.duplicateKeys = duplicateKeys
        }
    }

    let bytes: [UInt8]
    let options: Options
    var index = 0

    /// Reads `bytes` as one JSON text.
    public static func read(_ bytes: [UInt8], options: Options = Options()) throws(JSONReadError) -> JSONValue {
        var reader = JSONReader(bytes: bytes, options: options)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("trailing bytes after the value") }
        return value
    }

    /// Reads `text` as one JSON text.
    public static func read(_ text: String, options: Options = Options()) throws(JSONReadError) -> JSONValue {
        try read(Array(text.utf8), options: options)
    }

    func error(_ what: String) -> JSONReadError { JSONReadError(offset: index, reason: .syntax(what)) }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    mutating func readValue(depth: Int) throws(JSONReadError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try readNumber()
        }
    }

    mutating func expect(_ literal: String) throws(JSONReadError) {
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw error("expected '\(literal)'") }
            index += 1
        }
    }

    func checkDepth(_ depth: Int) throws(JSONReadError) {
        guard depth <= options.maxDepth else { throw JSONReadError(offset: index, reason: .tooDeep(limit: options.maxDepth)) }
    }

    private mutating func readObject(depth: Int) throws(JSONReadError) -> JSONValue {
        try checkDepth(depth)
        index += 1  // {
        var members: [(String, JSONValue)] = []
        let checksDuplicates = options.duplicateKeys == .refused || depth == 1
        var names = Set<String>()
        try readList(closing: UInt8(ascii: "}")) { (reader: inout JSONReader) throws(JSONReadError) in
            guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else {
                throw reader.error("expected a member name")
            }
            let nameOffset = reader.index
            let name = try reader.readString()
            if checksDuplicates, !names.insert(name).inserted {
                throw JSONReadError(offset: nameOffset, reason: .duplicateKey(name))
            }
            reader.skipWhitespace()
            guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: ":") else { throw reader.error("expected ':'") }
            reader.index += 1
            reader.skipWhitespace()
            members.append((name, try reader.readValue(depth: depth)))
        }
        return .object(members)
    }

    private mutating func readArray(depth: Int) throws(JSONReadError) -> JSONValue {
        try checkDepth(depth)
        index += 1  // [
        var items: [JSONValue] = []
        try readList(closing: UInt8(ascii: "]")) { (reader: inout JSONReader) throws(JSONReadError) in
            items.append(try reader.readValue(depth: depth))
        }
        return .array(items)
    }

    /// Reads `element, element, …` up to the `close` bracket (the opening one already consumed).
    mutating func readList(closing close: UInt8,
                                   _ element: (inout JSONReader) throws(JSONReadError) -> Void) throws(JSONReadError) {
        skipWhitespace()
        if index < bytes.count, bytes[index] == close {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end before '\(Character(Unicode.Scalar(close)))'") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case close: index += 1; return
            default: throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }
    }
}
