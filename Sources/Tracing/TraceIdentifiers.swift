// W3C trace and span ids: random, never all zero, written as lowercase hex.

/// A 16-byte trace id. All zero is invalid (W3C Trace Context §3.2.2.3).
public struct TraceID: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    /// nil when both halves are zero.
    public init?(high: UInt64, low: UInt64) {
        guard high != 0 || low != 0 else { return nil }
        self.high = high
        self.low = low
    }

    /// Parses 32 lowercase hex digits; nil for anything else or all zeros.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 32, let high = HexDigits.parse(utf8[0..<16]), let low = HexDigits.parse(utf8[16..<32]) else { return nil }
        self.init(high: high, low: low)
    }

    /// A random id (never all zero).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> TraceID {
        while true {
            if let id = TraceID(high: generator.next(), low: generator.next()) { return id }
        }
    }

    public static func random() -> TraceID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// 32 lowercase hex digits.
    public var hex: String { HexDigits.format(high) + HexDigits.format(low) }
    public var description: String { hex }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] { HexDigits.bytes(high) + HexDigits.bytes(low) }
}

/// An 8-byte span id. All zero is invalid (W3C Trace Context §3.2.2.4).
public struct SpanID: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    /// nil when zero.
    public init?(_ value: UInt64) {
        guard value != 0 else { return nil }
        self.value = value
    }

    /// Parses 16 lowercase hex digits; nil for anything else or all zeros.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 16, let value = HexDigits.parse(utf8[...]) else { return nil }
        self.init(value)
    }

    /// A random id (never zero).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> SpanID {
        while true {
            if let id = SpanID(generator.next()) { return id }
        }
    }

    public static func random() -> SpanID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// 16 lowercase hex digits.
    public var hex: String { HexDigits.format(value) }
    public var description: String { hex }

    /// The 8 bytes, big-endian.
    public var bytes: [UInt8] { HexDigits.bytes(value) }
}

/// Lowercase hex of 64-bit halves; W3C ids accept lowercase only.
enum HexDigits {
    private static let digits = Array("0123456789abcdef".utf8)

    static func parse(_ utf8: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in utf8 {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    static func format(_ value: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 {
            out[index] = digits[Int(value >> UInt64(60 - 4 * index) & 0xF)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
    }
}
