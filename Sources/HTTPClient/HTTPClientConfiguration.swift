// Every limit and timeout of the HTTP client, with its default in one place.

/// How the client connects, how long it waits, and what it trusts.
public struct HTTPClientConfiguration: Sendable {
    /// Longest wait for DNS plus the TCP connect (and a proxy tunnel and the TLS handshake), and for
    /// a free connection when `maxConnectionsPerOrigin` are in use.
    public var connectTimeout: Duration = .seconds(10)
    /// Longest wait for the response head once the request is written.
    public var firstByteTimeout: Duration = .seconds(60)
    /// Longest gap between two body reads while the consumer keeps up.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a kept-alive connection stays open unused.
    public var poolIdleTimeout: Duration = .seconds(30)
    /// Open connections per origin (scheme, host, port) across all event loops; beyond it requests wait.
    public var maxConnectionsPerOrigin: Int = 512
    /// Body bytes buffered for a slow consumer before the socket is no longer read.
    public var bodyHighWatermark: Int = 256 * 1024
    /// Buffered body bytes below which reading resumes.
    public var bodyLowWatermark: Int = 64 * 1024
    /// How long a resolved host name is reused.
    public var dnsCacheTTL: Duration = .seconds(60)
    /// PEM file of extra trusted CA certificates (in addition to the system's default store).
    public var caFile: String?
    /// Proxies (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` by default).
    public var proxy: HTTPProxySettings = .fromEnvironment()

    public init() {}

    /// For a sender of small batches (the usage webhook, the OTLP exporter): connect, first byte and
    /// idle gaps all bounded by the one request timeout, so a receiver that is down or slow costs a
    /// batch its attempt and nothing else; two connections per origin.
    public static func batchPosts(requestTimeout: Double, caFile: String?) -> HTTPClientConfiguration {
        var configuration = HTTPClientConfiguration()
        let timeout = Duration.milliseconds(Int64(requestTimeout * 1000))
        configuration.connectTimeout = timeout
        configuration.firstByteTimeout = timeout
        configuration.idleTimeout = timeout
        configuration.maxConnectionsPerOrigin = 2
        configuration.caFile = caFile
        return configuration
    }
}
