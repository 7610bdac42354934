// Text appended to byte buffers in one copy: the wire writers' building block.

extension Array where Element == UInt8 {
    /// Appends the UTF-8 of a literal in one copy.
    ///
    /// `append(contentsOf: "…".utf8)` goes through the generic sequence path (a retained string,
    /// a copy loop, a uniqueness check per call: ~175 instructions for a short literal, measured with
    /// callgrind); this is one buffer copy.
    @inlinable @inline(__always)
    public mutating func append(literal text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends the UTF-8 of `text` in one copy (a small string is first copied out of its inline
    /// storage, on the stack).
    @inlinable @inline(__always)
    public mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Appends the UTF-8 of `text` in one copy.
    @inlinable @inline(__always)
    public mutating func append(utf8 text: Substring) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}
