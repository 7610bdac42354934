// Byte classes of the HTTP grammar (RFC 9110 §5.6), as lookup tables.

public enum HTTPByteClass {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let sp: UInt8 = 32
    static let htab: UInt8 = 9
    static let colon: UInt8 = 58

    /// `tchar`: the bytes of a token (method, field name, transfer coding).
    static let tokenTable: [Bool] = (0..<256).map { b in
        switch UInt8(b) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(UInt8(b))
        }
    }

    @inline(__always)
    public static func isToken(_ b: UInt8) -> Bool { tokenTable[Int(b)] }

    /// `field-vchar` plus SP/HTAB: what may appear inside a field value (obs-text allowed).
    @inline(__always)
    public static func isFieldValueByte(_ b: UInt8) -> Bool {
        b == htab || (b >= 0x20 && b != 0x7F)
    }

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// ASCII lowercase of a letter; other bytes unchanged.
    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b | 0x20 : b }

}

extension UnsafeBufferPointer<UInt8> {
    /// ASCII case-insensitive equality of `self[range]` with a lowercase literal.
    @inline(__always)
    func equalsLowercased(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let literal = lowercase.utf8Start
        var j = 0
        for i in range {
            if HTTPByteClass.lower(self[i]) != literal[j] { return false }
            j += 1
        }
        return true
    }
}
