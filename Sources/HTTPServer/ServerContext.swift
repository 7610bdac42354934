// What every connection of one server shares: configuration, handler, logger, counters, caches.
import HTTPWire
import Synchronization
import Telemetry

/// Immutable configuration plus thread-safe shared state of one server.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let logger: Logger
    let handler: HTTPHandler
    let limits: HTTPRequestParser.Limits
    let timeouts: ConnectionStateMachine.Timeouts
    let dateCache = HTTPDateCache()
    let requestIDs = RequestIDGenerator()
    /// Accepted and not yet closed (counted from `accept` until the descriptor is closed).
    let openConnections = Atomic<Int>(0)
    let shuttingDown = Atomic<Bool>(false)
    let nextConnectionID = Atomic<Int>(0)

    init(configuration: HTTPServerConfiguration, logger: Logger, handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
        self.limits = HTTPRequestParser.Limits(maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes)
        self.timeouts = ConnectionStateMachine.Timeouts(
            header: configuration.headerTimeout,
            body: configuration.bodyTimeout,
            idle: configuration.idleTimeout,
            write: configuration.writeTimeout,
            linger: min(.seconds(2), configuration.idleTimeout)
        )
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }

    /// How often each event loop checks its connections' timeouts: a quarter of the shortest
    /// timeout, between 5 ms and 250 ms.
    var sweepInterval: Duration {
        let shortest = [timeouts.header, timeouts.body, timeouts.idle, timeouts.write].min() ?? .seconds(1)
        return min(max(shortest / 4, .milliseconds(5)), .milliseconds(250))
    }
}
