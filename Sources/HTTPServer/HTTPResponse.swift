// What a handler returns: a status, headers, and either whole bytes or a streamed body.
import HTTPWire

/// A response. The server adds `Date`, `Content-Length` or `Transfer-Encoding: chunked`, and `Connection`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: ResponseBody = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A whole body, or one produced by a closure that writes chunks as they become available.
public enum ResponseBody: Sendable {
    case bytes([UInt8])
    /// Sent with chunked transfer coding; each `write` is flushed at once. The closure runs in the
    /// handler's task; when the client goes away that task is cancelled and `write` throws
    /// `ClientDisconnected`. Returning ends the body (the terminating chunk is written).
    case stream(@Sendable (any ResponseBodyWriter) async throws -> Void)
}

/// Writes a streamed body.
public protocol ResponseBodyWriter: Sendable {
    /// Queues `bytes` as one chunk and flushes it. Suspends while the connection's pending output is
    /// above the high watermark (backpressure) until it drains below the low watermark.
    /// Throws `ClientDisconnected` once the client has gone away.
    func write(_ bytes: [UInt8]) async throws
}

/// Thrown by `ResponseBodyWriter.write` when the connection is gone.
public struct ClientDisconnected: Error, Sendable {
    public init() {}
}

/// Per-request facts a handler may want.
public struct RequestContext: Sendable {
    /// `ip:port` of the peer.
    public var remoteAddress: String
    /// A short unique id for logs (also echoed as `X-Request-Id`).
    public var requestId: String

    public init(remoteAddress: String, requestId: String) {
        self.remoteAddress = remoteAddress
        self.requestId = requestId
    }
}

/// The application's entry point, called once per request, one request at a time per connection.
public typealias HTTPHandler = @Sendable (HTTPRequest, RequestContext) async -> HTTPResponse
