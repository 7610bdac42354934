// Finds a repeated member name in a JSON object's top level (parsers disagree on which one wins).
import Foundation

/// `{"threadId":"a","threadId":"b"}` is valid JSON, but readers differ on which value wins (JSONDecoder
/// takes the first, many others the last), so a proxy in front of us could route by one thread while we
/// bill another. Like ambiguous HTTP framing, it is refused.
enum DuplicateKeyScanner {
    /// The first top-level member name that appears twice, or nil. `bytes` must already be valid JSON.
    static func firstDuplicate(in bytes: [UInt8]) -> String? {
        var seen = Set<String>()
        var depth = 0
        var index = 0
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                // A string token: find its end, honouring escapes.
                let start = index
                index += 1
                var escaped = false
                while index < bytes.count {
                    let b = bytes[index]
                    if escaped { escaped = false } else if b == backslash { escaped = true } else if b == quote { break }
                    index += 1
                }
                let end = index  // the closing quote
                index += 1
                guard depth == 1 else { continue }
                // A member name is followed (after whitespace) by ':'.
                var next = index
                while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 || bytes[next] == 0x0A || bytes[next] == 0x0D { next += 1 }
                guard next < bytes.count, bytes[next] == UInt8(ascii: ":") else { continue }
                let raw = Array(bytes[start...min(end, bytes.count - 1)])
                let name = raw.contains(backslash)
                    ? ((try? JSONSerialization.jsonObject(with: Data(raw), options: [.fragmentsAllowed])) as? String) ?? String(decoding: raw, as: UTF8.self)
                    : String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
                if !seen.insert(name).inserted { return name }
                continue
            }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
            index += 1
        }
        return nil
    }
}
