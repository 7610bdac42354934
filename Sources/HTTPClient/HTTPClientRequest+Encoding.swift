// A request's bytes on the wire (RFC 9112 §3, §6).
import ByteAppending
import HTTPWire

extension HTTPClientRequest {
    /// Request line, `Host`, the request's fields, `Content-Length` and `Connection: keep-alive`, then
    /// the body. `absoluteForm` writes `http://host:port/path` as the target (a request through an
    /// HTTP proxy, RFC 9112 §3.2.2). Refuses a method, name or value that would break the framing.
    func encoded(absoluteForm: Bool = false, proxyAuthorization: String? = nil) throws(HTTPClientError) -> [UInt8] {
        var method = self.method, target = self.target
        guard !method.isEmpty, method.withUTF8({ $0.allSatisfy(HTTPByteClass.isToken) }) else {
            throw .invalidRequest("invalid request method \"\(method)\"")
        }
        guard target.withUTF8({ $0.allSatisfy { $0 > 0x20 && $0 < 0x7F } }) else {
            throw .invalidRequest("invalid request target \"\(target)\"")
        }
        // Written straight into bytes: a request head is built per upstream call.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + (body?.count ?? 0))
        bytes.append(utf8: method)
        bytes.append(UInt8(ascii: " "))
        let hostField = origin.hostField
        if absoluteForm {
            bytes.append(utf8: origin.scheme.rawValue)
            bytes.append(literal: "://")
            bytes.append(utf8: hostField)
        }
        bytes.append(utf8: target)
        bytes.append(literal: " HTTP/1.1\r\nHost: ")
        bytes.append(utf8: hostField)
        bytes.append(literal: "\r\n")
        for field in headers {
            var name = field.name, value = field.value
            guard !name.isEmpty, name.withUTF8({ $0.allSatisfy(HTTPByteClass.isToken) }),
                  value.withUTF8({ $0.allSatisfy(HTTPByteClass.isFieldValueByte) }) else {
                throw .invalidRequest("invalid request header \"\(field.name)\"")
            }
            if Self.framingFields.contains(where: { name.caseInsensitiveEquals($0) }) { continue }
            Self.appendField(name, value, to: &bytes)
        }
        if let proxyAuthorization { Self.appendField("Proxy-Authorization", proxyAuthorization, to: &bytes) }
        if body != nil || !Self.methodsWithoutBody.contains(method) {
            Self.appendField("Content-Length", String(body?.count ?? 0), to: &bytes)
        }
        bytes.append(literal: "Connection: keep-alive\r\n\r\n")
        if let body { bytes.append(contentsOf: body) }
        return bytes
    }

    /// Methods that send `Content-Length` only with a body.
    private static let methodsWithoutBody: Set<String> = ["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"]

    private static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes.append(utf8: name)
        bytes.append(literal: ": ")
        bytes.append(utf8: value)
        bytes.append(literal: "\r\n")
    }

    /// Fields the client writes itself.
    private static let framingFields = ["host", "content-length", "connection", "transfer-encoding", "proxy-authorization"]
}
