// Run a body against a real server on a free loopback port; the server always shuts down.
import HTTPServer
import HTTPWire
import Telemetry

/// Starts an `HTTPServer` on 127.0.0.1 and a free port, runs `body` with the port, and shuts the
/// server down afterwards whether `body` returned or threw.
public func withTestServer(
    configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
    logger: Logger = .noop,
    handler: @escaping HTTPHandler,
    _ body: (Int) async throws -> Void
) async throws {
    try await withRunningServer(configuration: configuration, logger: logger, handler: handler) { server in
        try await body(server.port)
    }
}

/// Like `withTestServer`, but hands over the server itself (for `openConnections`, shutdown tests).
/// `shutdownDeadline` bounds the final graceful shutdown.
public func withRunningServer(
    configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
    logger: Logger = .noop,
    shutdownDeadline: Duration = .seconds(1),
    handler: @escaping HTTPHandler,
    _ body: (HTTPServer) async throws -> Void
) async throws {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    let server = HTTPServer(configuration: configuration, logger: logger, handler: handler)
    try server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdownGracefully(deadline: shutdownDeadline)
        throw error
    }
    await server.shutdownGracefully(deadline: shutdownDeadline)
}
