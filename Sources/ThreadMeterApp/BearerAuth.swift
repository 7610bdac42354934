// Bearer-token checks compared in constant time.
import HTTPWire

/// Accepts a request when its `Authorization: Bearer <token>` equals one of the configured tokens.
struct BearerAuth: Sendable {
    private let tokens: [[UInt8]]

    init(tokens: [String]) {
        self.tokens = tokens.map { Array($0.utf8) }
    }

    /// True when the request presents one of the tokens (never when none is configured).
    func allows(_ headers: HTTPHeaders) -> Bool {
        guard let header = headers["Authorization"] else { return false }
        let bytes = Array(header.utf8)
        let prefix = Array("bearer ".utf8)
        guard bytes.count > prefix.count,
              zip(bytes.prefix(prefix.count), prefix).allSatisfy({ ($0 | 0x20) == $1 }) else { return false }
        var presented = Array(bytes.dropFirst(prefix.count))
        while presented.first == UInt8(ascii: " ") { presented.removeFirst() }
        // Check every configured token so the time does not reveal which one matched.
        var matched = false
        for token in tokens where BearerAuth.constantTimeEquals(token, presented) {
            matched = true
        }
        return matched
    }

    /// Compares without an early exit; the time depends only on the lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
