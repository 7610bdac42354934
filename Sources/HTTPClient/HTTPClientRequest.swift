// One request for the HTTP client.
import Foundation
import HTTPWire

/// A request: method, origin, origin-form target (`/v1/threads?limit=1`, already percent-encoded),
/// ordered header fields and an optional body. The client adds `Host`, `Content-Length` and
/// `Connection`, and drops any such fields given here.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var origin: HTTPOrigin
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?

    public init(method: String, origin: HTTPOrigin, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil) {
        self.method = method
        self.origin = origin
        self.target = target.isEmpty ? "/" : target
        self.headers = headers
        self.body = body
    }

    /// A request for an absolute `http`/`https` URL (path and query taken as they are written).
    public init(method: String, url: URL, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil) throws(HTTPClientError) {
        guard let origin = HTTPOrigin(url: url), let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            throw .invalidRequest("not an absolute http(s) URL: \(url.absoluteString)")
        }
        var target = components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        self.init(method: method, origin: origin, target: target, headers: headers, body: body)
    }

    /// Methods that may be sent again when a kept-alive connection turned out dead (RFC 9110 §9.2.2).
    var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method) }
}
