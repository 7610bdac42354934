// A client or listen address as bytes, to decide "loopback or not" without string matching.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
struct IPAddress: Sendable, Equatable {
    let bytes: [UInt8]

    /// Parses an address literal: `127.0.0.1`, `::1`, `[::1]`. Names (other than `localhost`, read as
    /// `127.0.0.1`) and zone ids are not addresses: nil.
    init?(literal text: String) {
        var literal = text.lowercased() == "localhost" ? "127.0.0.1" : text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// Parses a peer as `RequestContext.remoteAddress` gives it: `ip:port` for IPv4, `[ip]:port` for
    /// IPv6; a bare address is accepted too. Anything else (`unknown`) is nil.
    init?(peer text: String) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            self.init(literal: String(text[text.index(after: text.startIndex)..<close]))
        } else if let whole = IPAddress(literal: text) {
            self = whole
        } else if let colon = text.lastIndex(of: ":") {
            self.init(literal: String(text[..<colon]))
        } else {
            return nil
        }
    }

    /// 127.0.0.0/8, `::1`, or an IPv4-mapped `::ffff:127.x.x.x`.
    var isLoopback: Bool {
        if bytes.count == 4 { return bytes[0] == 127 }
        guard bytes.count == 16 else { return false }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return mapped && bytes[12] == 127
    }
}
