// PLACEHOLDER: replaced by the real Dispatch server (issue 2). Signatures are the contract.
import HTTPWire
import Telemetry

/// An HTTP/1.1 server on non-blocking sockets driven by Dispatch sources.
public final class HTTPServer: Sendable {
    public init(configuration: HTTPServerConfiguration, logger: Logger, handler: @escaping HTTPHandler) {
        fatalError("not implemented yet")
    }

    /// Binds, listens and starts accepting. Returns once listening. Throws on bind/listen failure.
    public func start() throws {}

    /// The bound port (useful with port 0); valid after `start()`.
    public var port: Int { 0 }

    /// Number of open client connections.
    public var openConnections: Int { 0 }

    /// Stops accepting, lets in-flight requests and streams finish until `deadline` elapses,
    /// then closes every connection. Safe to call more than once.
    public func shutdownGracefully(deadline: Duration) async {}
}
