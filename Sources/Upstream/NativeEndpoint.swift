// Where the native transport connects and how a request is written on the wire.
import Foundation

/// The upstream's host, port and path prefix, from an `http://` base URL, plus request serialisation.
struct NativeEndpoint: Sendable {
    let host: String
    let port: Int
    /// The base URL's path without a trailing slash, e.g. `/v1`.
    let basePath: String
    /// The `Host` field value.
    let hostField: String

    init(baseURL: URL) {
        let host = baseURL.host ?? "localhost"
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = baseURL.port ?? 80
        var path = baseURL.path
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        let shownHost = self.host.contains(":") ? "[\(self.host)]" : self.host
        hostField = baseURL.port.map { "\(shownHost):\($0)" } ?? shownHost
    }

    /// `host:port`, for error messages.
    var target: String { "\(host):\(port)" }

    private static let pathAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/;?#")
        return set
    }()

    /// The request's bytes: request line, `Host`, the request's fields, `Content-Length` and
    /// `Connection: keep-alive`, then the body. Refuses a field that would break the framing.
    func serialize(_ request: UpstreamHTTPClient.Request) throws(UpstreamError) -> [UInt8] {
        var target = basePath
        for component in request.path.split(separator: "/") {
            target += "/" + (String(component).addingPercentEncoding(withAllowedCharacters: Self.pathAllowed) ?? "")
        }
        if target.isEmpty { target = "/" }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(Self.isToken) else {
            throw .malformed("invalid upstream request method \"\(request.method)\"")
        }
        var head = "\(request.method) \(target) HTTP/1.1\r\nHost: \(hostField)\r\n"
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isToken),
                  value.utf8.allSatisfy({ $0 == 9 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw .malformed("invalid upstream request header \"\(name)\"")
            }
            let lowered = name.lowercased()
            if ["host", "content-length", "connection", "transfer-encoding"].contains(lowered) { continue }
            head += "\(name): \(value)\r\n"
        }
        let body = request.body ?? Data()
        if request.body != nil || !["GET", "HEAD", "DELETE", "OPTIONS"].contains(request.method) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "Connection: keep-alive\r\n\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    private static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
