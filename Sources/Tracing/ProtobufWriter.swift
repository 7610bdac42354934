// The protobuf wire format's primitives, for the OTLP protobuf encoding.

/// Protobuf wire format: tags, varints, fixed 64-bit values and length-delimited fields.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, wireType: 0)
        appendVarint(value)
    }

    /// Wire type 1 (fixed64 and double), little-endian.
    mutating func fixed64(_ field: Int, _ value: UInt64, wireType: UInt64 = 1) {
        tag(field, wireType: wireType)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func string(_ field: Int, _ text: String) {
        self.bytes(field, Array(text.utf8))
    }

    mutating func message(_ field: Int, _ encoded: [UInt8]) {
        self.bytes(field, encoded)
    }

    mutating func bytes(_ field: Int, _ data: [UInt8]) {
        tag(field, wireType: 2)
        appendVarint(UInt64(data.count))
        bytes += data
    }

    private mutating func tag(_ field: Int, wireType: UInt64) {
        appendVarint(UInt64(field) << 3 | wireType)
    }

    private mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
