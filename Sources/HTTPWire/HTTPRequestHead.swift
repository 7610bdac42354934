// The request line and header fields, plus what the parser derived from them.

/// How the body of a request is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    /// No body.
    case none
    /// Exactly this many bytes (`Content-Length`), more than zero.
    case length(Int)
    /// Chunked transfer coding.
    case chunked
}

/// A parsed request head: what arrives before the body.
public struct HTTPRequestHead: Sendable {
    /// Method token as sent (case-sensitive).
    public var method: String
    /// The request-target as sent.
    public var target: String
    /// HTTP version, e.g. (1, 1).
    public var version: (major: Int, minor: Int)
    /// Header fields in order, duplicates kept.
    public var headers: HTTPHeaders
    /// Whether the connection may carry another request after this one: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive` (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 §10.1.1).
    public var expectsContinue: Bool
    /// How the body is delimited.
    public var framing: HTTPBodyFraming

    public init(method: String, target: String, version: (major: Int, minor: Int), headers: HTTPHeaders,
                keepAlive: Bool, expectsContinue: Bool, framing: HTTPBodyFraming) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.framing = framing
    }
}
