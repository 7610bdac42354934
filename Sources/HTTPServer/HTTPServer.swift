// The public server: start listening, count connections, shut down gracefully.
import Dispatch
import EventLoops
import HTTPWire
import Synchronization
import Telemetry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on non-blocking sockets driven by Dispatch sources.
///
/// Connections are spread over the event loops of an `EventLoopGroup` (one serial queue per core,
/// shared by every server and client in the process), so thousands of connections use a handful of
/// threads. Each request's handler runs as a Swift task that prefers its connection's loop as
/// executor: a handler that does not suspend answers inline, and one that does comes back to the
/// same thread. One request at a time per connection, pipelined requests answered in order.
public final class HTTPServer: Sendable {
    private enum Lifecycle {
        case created
        case running(Acceptor)
        case stopped
    }

    private let context: ServerContext
    private let loops: [ServerLoop]
    private let lifecycle = Mutex<Lifecycle>(.created)
    private let boundPort = Atomic<Int>(0)

    /// A server whose connections are spread over `group`'s loops (by default the process's shared
    /// loops, one per core, which the HTTP client uses too).
    public init(configuration: HTTPServerConfiguration, logger: Logger, group: EventLoopGroup = .shared,
                handler: @escaping HTTPHandler) {
        context = ServerContext(configuration: configuration, logger: logger, handler: handler)
        let sweepInterval = context.sweepInterval
        loops = group.loops.map { ServerLoop(eventLoop: $0, sweepInterval: sweepInterval) }
    }

    /// Binds, listens and starts accepting. Returns once listening. Throws on bind/listen failure.
    public func start() throws {
        let configuration = context.configuration
        try lifecycle.withLock { state throws(HTTPServerError) in
            guard case .created = state else { throw .alreadyStarted }
            let socket = try ListeningSocket.open(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            boundPort.store(socket.port, ordering: .releasing)
            for loop in loops { loop.start() }
            let acceptor = Acceptor(socket: socket, logger: context.logger) { [context, loops] fd, peer in
                Self.adopt(fd: fd, peer: peer, context: context, loops: loops)
            }
            acceptor.start()
            state = .running(acceptor)
        }
        context.logger.info("listening", [("host", configuration.host), ("port", String(port))])
    }

    /// The bound port (useful with port 0); valid after `start()`.
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// Number of open client connections.
    public var openConnections: Int { context.openConnections.load(ordering: .relaxed) }

    /// Stops accepting, lets in-flight requests and streams finish until `deadline` elapses,
    /// then closes every connection. Safe to call more than once.
    public func shutdownGracefully(deadline: Duration) async {
        let started = ContinuousClock.now
        context.shuttingDown.store(true, ordering: .releasing)
        let acceptor: Acceptor? = lifecycle.withLock { state in
            defer { state = .stopped }
            guard case .running(let acceptor) = state else { return nil }
            return acceptor
        }
        await acceptor?.stop()
        for loop in loops { loop.queue.async { loop.beginShutdown() } }
        await waitForConnections(until: started + deadline)
        if openConnections > 0 {
            context.logger.notice("shutdown deadline reached; closing remaining connections", [("open", String(openConnections))])
            for loop in loops { loop.queue.async { loop.closeAll() } }
            await waitForConnections(until: .now + .seconds(2))
        }
        for loop in loops { loop.queue.async { loop.stop() } }
    }

    private func waitForConnections(until end: ContinuousClock.Instant) async {
        while openConnections > 0, ContinuousClock.now < end {
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                return // Cancelled: the caller force-closes what is left.
            }
        }
    }

    /// Called on the accept queue for each new socket.
    private static func adopt(fd: Int32, peer: sockaddr_storage, context: ServerContext, loops: [ServerLoop]) {
        let logger = context.logger
        guard !context.isShuttingDown else {
            Socket.close(fd)
            return
        }
        let open = context.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        guard open <= context.configuration.maxConnections else {
            context.openConnections.subtract(1, ordering: .relaxed)
            Socket.close(fd)
            if logger.isEnabled(.debug) {
                logger.debug("connection refused: at maxConnections", [("remote", SocketAddress.describe(peer)), ("max", String(context.configuration.maxConnections))])
            }
            return
        }
        guard Socket.configureStream(fd) else {
            let code = errno
            context.openConnections.subtract(1, ordering: .relaxed)
            Socket.close(fd)
            logger.warning("could not configure accepted socket", [("error", SystemError.describe(code))])
            return
        }
        let id = context.nextConnectionID.wrappingAdd(1, ordering: .relaxed).newValue
        let loop = loops[id % loops.count]
        let connection = Connection(id: id, fd: fd, remoteAddress: SocketAddress.describe(peer), loop: loop, server: context)
        loop.queue.async { loop.register(connection) }
    }
}
