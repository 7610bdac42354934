// Every limit and timeout of the HTTP server, with its default in one place.

/// Server limits and timeouts.
public struct HTTPServerConfiguration: Sendable {
    /// Listen address (IPv4 or IPv6 literal, or `localhost`).
    public var host: String = "127.0.0.1"
    /// Listen port; 0 picks a free one (read it back from `HTTPServer.port`).
    public var port: Int = 8080
    /// Largest request head (request line + header fields) → 431 beyond it.
    public var maxHeaderBytes: Int = 16 * 1024
    /// Largest request body (after de-chunking) → 413 beyond it.
    public var maxBodyBytes: Int = 1_048_576
    /// The whole header section must arrive within this time after the first byte (slowloris).
    public var headerTimeout: Duration = .seconds(10)
    /// A body must keep arriving: the longest gap between body reads.
    public var bodyTimeout: Duration = .seconds(30)
    /// A kept-alive connection with no request in progress is closed after this.
    public var idleTimeout: Duration = .seconds(75)
    /// Connections beyond this are accepted and closed at once.
    public var maxConnections: Int = 16_384
    /// Pending output above this suspends `ResponseBodyWriter.write`…
    public var writeHighWatermark: Int = 64 * 1024
    /// …until it drains below this.
    public var writeLowWatermark: Int = 32 * 1024
    /// A client that reads nothing of pending output for this long is disconnected.
    public var writeTimeout: Duration = .seconds(60)
    /// listen(2) backlog.
    public var backlog: Int32 = 1024

    public init() {}
}
