// The start-line and header fields of an HTTP/1.x response.

/// A parsed response head: version, status, reason phrase and the ordered header fields.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The minor version of `HTTP/1.x` (0 or 1).
    public var minorVersion: Int
    /// The three-digit status code.
    public var status: Int
    /// The reason phrase (may be empty).
    public var reason: String
    /// Header fields in arrival order, duplicates kept.
    public var headers: HTTPHeaders

    public init(minorVersion: Int, status: Int, reason: String, headers: HTTPHeaders) {
        self.minorVersion = minorVersion
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// Whether the server lets the connection be reused after this response (RFC 9112 §9.3):
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var allowsKeepAlive: Bool {
        if headers.containsToken("close", inFieldsNamed: "Connection") { return false }
        return minorVersion >= 1 || headers.containsToken("keep-alive", inFieldsNamed: "Connection")
    }
}
