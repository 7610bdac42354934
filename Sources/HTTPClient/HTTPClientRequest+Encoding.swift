// A request's bytes on the wire (RFC 9112 §3, §6).
import ByteAppending

extension HTTPClientRequest {
    /// Request line, `Host`, the request's fields, `Content-Length` and `Connection: keep-alive`, then
    /// the body. `absoluteForm` writes `http://host:port/path` as the target (a request through an
    /// HTTP proxy, RFC 9112 §3.2.2). Refuses a method, name or value that would break the framing.
    func encoded(absoluteForm: Bool = false, proxyAuthorization: String? = nil) throws(HTTPClientError) -> [UInt8] {
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isToken) else {
            throw .invalidRequest("invalid request method \"\(method)\"")
        }
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidRequest("invalid request target \"\(target)\"")
        }
        // Written straight into bytes: a request head is built per upstream call.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + (body?.count ?? 0))
        bytes.append(utf8: method)
        bytes.append(UInt8(ascii: " "))
        if absoluteForm {
            bytes.append(utf8: origin.scheme.rawValue)
            bytes.append(literal: "://")
            bytes.append(utf8: origin.hostField)
        }
        bytes.append(utf8: target)
        bytes.append(literal: " HTTP/1.1\r\nHost: ")
        bytes.append(utf8: origin.hostField)
        bytes.append(literal: "\r\n")
        for field in headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(Self.isToken),
                  field.value.utf8.allSatisfy({ $0 == 9 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw .invalidRequest("invalid request header \"\(field.name)\"")
            }
            if Self.framingFields.contains(where: { field.name.caseInsensitiveEquals($0) }) { continue }
            Self.appendField(field.name, field.value, to: &bytes)
        }
        if let proxyAuthorization { Self.appendField("Proxy-Authorization", proxyAuthorization, to: &bytes) }
        if body != nil || !["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"].contains(method) {
            Self.appendField("Content-Length", String(body?.count ?? 0), to: &bytes)
        }
        bytes.append(literal: "Connection: keep-alive\r\n\r\n")
        if let body { bytes.append(contentsOf: body) }
        return bytes
    }

    private static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes.append(utf8: name)
        bytes.append(literal: ": ")
        bytes.append(utf8: value)
        bytes.append(literal: "\r\n")
    }

    /// Fields the client writes itself.
    private static let framingFields = ["host", "content-length", "connection", "transfer-encoding", "proxy-authorization"]

    /// A `tchar` (RFC 9110 §5.6.2).
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
