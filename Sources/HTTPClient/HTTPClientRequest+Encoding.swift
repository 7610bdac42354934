// A request's bytes on the wire (RFC 9112 §3, §6).

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
        let requestTarget = absoluteForm ? "\(origin.scheme.rawValue)://\(origin.hostField)\(target)" : target
        var head = "\(method) \(requestTarget) HTTP/1.1\r\nHost: \(origin.hostField)\r\n"
        for field in headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(Self.isToken),
                  field.value.utf8.allSatisfy({ $0 == 9 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw .invalidRequest("invalid request header \"\(field.name)\"")
            }
            if Self.framingFields.contains(where: { field.name.caseInsensitiveEquals($0) }) { continue }
            head += "\(field.name): \(field.value)\r\n"
        }
        if let proxyAuthorization { head += "Proxy-Authorization: \(proxyAuthorization)\r\n" }
        if body != nil || !["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"].contains(method) {
            head += "Content-Length: \(body?.count ?? 0)\r\n"
        }
        head += "Connection: keep-alive\r\n\r\n"
        var bytes = Array(head.utf8)
        if let body { bytes.append(contentsOf: body) }
        return bytes
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
