// Response bytes: status line, header fields, chunked coding. Appends into a caller's buffer.
import ByteAppending

/// Serialises responses into a byte buffer without intermediate strings.
public enum HTTPResponseEncoder {
    /// `HTTP/1.1 100 Continue` followed by the empty line (RFC 9110 §15.2.1).
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    /// The last chunk with no trailers, ending a chunked body (RFC 9112 §7.1).
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// Appends `HTTP/1.1 <status> <reason>\r\n`. `status` must be 100...999.
    public static func appendStatusLine(_ status: Int, into buffer: inout [UInt8]) {
        buffer.append(literal: "HTTP/1.1 ")
        let s = min(max(status, 100), 999)
        buffer.append(UInt8(ascii: "0") + UInt8(s / 100))
        buffer.append(UInt8(ascii: "0") + UInt8(s / 10 % 10))
        buffer.append(UInt8(ascii: "0") + UInt8(s % 10))
        buffer.append(HTTPByteClass.sp)
        buffer.append(contentsOf: HTTPStatus.reasonPhrase(s).utf8)
        appendCRLF(into: &buffer)
    }

    /// Appends `name: value\r\n`. Check fields from untrusted sources with `isValidField` first.
    @inline(__always)
    public static func appendField(name: String, value: String, into buffer: inout [UInt8]) {
        buffer.append(utf8: name)
        buffer.append(HTTPByteClass.colon)
        buffer.append(HTTPByteClass.sp)
        buffer.append(utf8: value)
        appendCRLF(into: &buffer)
    }

    /// Appends `name: <decimal>\r\n` without creating a string.
    public static func appendField(name: String, decimal value: Int, into buffer: inout [UInt8]) {
        buffer.append(utf8: name)
        buffer.append(HTTPByteClass.colon)
        buffer.append(HTTPByteClass.sp)
        appendDecimal(value, into: &buffer)
        appendCRLF(into: &buffer)
    }

    /// Appends every field in order.
    public static func appendFields(_ headers: HTTPHeaders, into buffer: inout [UInt8]) {
        for field in headers.fields {
            appendField(name: field.name, value: field.value, into: &buffer)
        }
    }

    /// Ends the head (the empty line).
    @inline(__always)
    public static func appendCRLF(into buffer: inout [UInt8]) {
        buffer.append(HTTPByteClass.cr)
        buffer.append(HTTPByteClass.lf)
    }

    /// A complete head: status line, fields, empty line.
    public static func encodeHead(status: Int, headers: HTTPHeaders) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(128)
        appendStatusLine(status, into: &buffer)
        appendFields(headers, into: &buffer)
        appendCRLF(into: &buffer)
        return buffer
    }

    /// Appends one chunk: hex size, CRLF, data, CRLF. Empty data appends nothing (an empty chunk
    /// would end the body).
    public static func appendChunk(_ data: some Collection<UInt8>, into buffer: inout [UInt8]) {
        let count = data.count
        guard count > 0 else { return }
        appendHex(count, into: &buffer)
        appendCRLF(into: &buffer)
        buffer.append(contentsOf: data)
        appendCRLF(into: &buffer)
    }

    /// Whether a field may be sent as is: a token name and a value without CR, LF, NUL or other
    /// controls except HTAB (prevents response splitting).
    public static func isValidField(name: String, value: String) -> Bool {
        var name = name, value = value
        guard !name.isEmpty, name.withUTF8({ $0.allSatisfy(HTTPByteClass.isToken) }) else { return false }
        return value.withUTF8 { $0.allSatisfy(HTTPByteClass.isFieldValueByte) }
    }

    static func appendDecimal(_ value: Int, into buffer: inout [UInt8]) {
        let value = max(value, 0)
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    static func appendHex(_ value: Int, into buffer: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        var shift = (Int.bitWidth - value.leadingZeroBitCount - 1) / 4 * 4
        while shift >= 0 {
            buffer.append(hex.utf8Start[(value >> shift) & 0xF])
            shift -= 4
        }
    }
}
