// The shape of a thread id that may be put into an upstream URL path.

/// Thread id rules shared by every upstream.
public enum ThreadIdentifier {
    /// `^[A-Za-z0-9_-]{1,64}$` (contract §1): safe to put into a URL path.
    public static func isWellFormed(_ id: String) -> Bool {
        let bytes = id.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}
