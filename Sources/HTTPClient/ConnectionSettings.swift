// What every connection of a client shares: timeouts, watermarks, the resolver and the TLS context.
import Synchronization

/// The client-wide settings and services a connection uses.
final class ConnectionSettings: Sendable {
    let connectTimeout: Duration
    let firstByteTimeout: Duration
    let idleTimeout: Duration
    let poolIdleTimeout: Duration
    let bodyHighWatermark: Int
    let bodyLowWatermark: Int
    let resolver: DNSResolver
    private let caFile: String?
    private let context = Mutex<Result<TLSContext, HTTPClientError>?>(nil)
    private let handshakeCounts = Mutex<(full: Int, resumed: Int)>((0, 0))

    init(_ configuration: HTTPClientConfiguration) {
        connectTimeout = configuration.connectTimeout
        firstByteTimeout = configuration.firstByteTimeout
        idleTimeout = configuration.idleTimeout
        poolIdleTimeout = configuration.poolIdleTimeout
        bodyHighWatermark = max(1, configuration.bodyHighWatermark)
        bodyLowWatermark = max(0, configuration.bodyLowWatermark)
        resolver = DNSResolver(ttl: configuration.dnsCacheTTL)
        caFile = configuration.caFile
    }

    /// The TLS context, made on first use (a CA file that fails to load fails every https request).
    func tlsContext() throws(HTTPClientError) -> TLSContext {
        let result = context.withLock { context -> Result<TLSContext, HTTPClientError> in
            if let context { return context }
            let made: Result<TLSContext, HTTPClientError>
            do throws(HTTPClientError) {
                made = .success(try TLSContext(caFile: caFile))
            } catch {
                made = .failure(error)
            }
            context = made
            return made
        }
        return try result.get()
    }

    /// Counts a completed TLS handshake.
    func handshakes(_ resumed: Bool) {
        handshakeCounts.withLock { resumed ? ($0.resumed += 1) : ($0.full += 1) }
    }

    /// Completed TLS handshakes: full ones and resumed sessions.
    var handshakeCount: (full: Int, resumed: Int) { handshakeCounts.withLock { $0 } }
}
