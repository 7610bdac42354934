// The W3C Trace Context `traceparent` header: parsing and formatting (https://www.w3.org/TR/trace-context/).

/// `version-traceid-parentid-flags`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
public struct TraceParent: Hashable, Sendable, CustomStringConvertible {
    public var traceID: TraceID
    /// The caller's span: the parent of the span this service starts.
    public var parentID: SpanID
    /// The `sampled` flag (bit 0 of trace-flags).
    public var sampled: Bool

    public init(traceID: TraceID, parentID: SpanID, sampled: Bool) {
        self.traceID = traceID
        self.parentID = parentID
        self.sampled = sampled
    }

    /// Parses a header value; nil when it is not a valid traceparent (then a new trace starts).
    ///
    /// Version `00` must be exactly 55 characters. A higher version (not `ff`) is read by its first
    /// four fields, as §3.2.4 of the spec asks: at least 55 characters, and a `-` after the flags if
    /// longer. Hex must be lowercase; all-zero ids are invalid. Surrounding spaces and tabs are trimmed.
    public init?(header: some StringProtocol) {
        var utf8 = Substring(header).utf8[...]
        while let first = utf8.first, first == 0x20 || first == 0x09 { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 0x20 || last == 0x09 { utf8 = utf8.dropLast() }
        let bytes = Array(utf8)
        guard bytes.count >= 55 else { return nil }
        let dash = UInt8(ascii: "-")
        guard bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
              let version = HexDigits.parse(bytes[0..<2]), version != 0xFF
        else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55, bytes[55] != dash {
            return nil
        }
        guard let traceID = TraceID(hex: String(decoding: bytes[3..<35], as: UTF8.self)),
              let parentID = SpanID(hex: String(decoding: bytes[36..<52], as: UTF8.self)),
              let flags = HexDigits.parse(bytes[53..<55])
        else { return nil }
        self.init(traceID: traceID, parentID: parentID, sampled: flags & 1 == 1)
    }

    /// Version 00 with the given ids; flags `01` when sampled, else `00`.
    public var header: String {
        "00-\(traceID.hex)-\(parentID.hex)-\(sampled ? "01" : "00")"
    }

    public var description: String { header }
}
