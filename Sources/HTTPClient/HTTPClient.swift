// An HTTP/1.1 client on the event loops: pooled keep-alive connections, TLS, proxies, streamed bodies.
import EventLoops
import Synchronization

/// Sends requests over kept-alive connections pooled per origin (scheme, host, port). A request made
/// from a task running on one of the group's event loops uses a connection of that loop, so its
/// reads land on the caller's thread; other callers spread over the loops. Timeouts: connect
/// (DNS, TCP, proxy tunnel, TLS handshake), first byte of the response, idle between body chunks,
/// pool idle. Cancelling the calling task, or the response body, closes the connection. A request
/// that found its reused connection dead is sent once more on a fresh one when that is safe.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    let settings: ConnectionSettings
    private let group: EventLoopGroup
    /// nil once shut down.
    private let pools = Mutex<[HTTPOrigin: ConnectionPool]?>([:])
    private let exchangeIDs = Atomic<Int>(0)

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), eventLoopGroup: EventLoopGroup = .shared) {
        self.configuration = configuration
        settings = ConnectionSettings(configuration)
        group = eventLoopGroup
    }

    deinit {
        shutdown()
    }

    /// Sends `request` and returns once the response head arrived; the body streams in afterwards.
    public func execute(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let pool = try pool(for: request.origin)
        let bytes = try request.encoded(absoluteForm: pool.route.absoluteForm, proxyAuthorization: pool.route.requestProxyAuthorization)
        let loop = EventLoop.current.flatMap { current in
            current.index < group.loops.count && group.loops[current.index] === current ? current : nil
        }
        var retried = false
        while true {
            if Task.isCancelled { throw .connectionFailed("\(request.origin): request cancelled") }
            let lease = try await pool.checkout(on: loop, fresh: retried)
            let exchangeID = exchangeIDs.add(1, ordering: .relaxed).newValue
            let connection = lease.connection
            let result = await withTaskCancellationHandler {
                await withCheckedContinuation { (head: CheckedContinuation<ClientConnection.HeadResult, Never>) in
                    connection.perform(bytes, method: request.method, idempotent: request.isIdempotent,
                                       reused: lease.reused, exchangeID: exchangeID, head: head)
                }
            } onCancel: {
                connection.abort(exchangeID)
            }
            switch result {
            case .success(let response):
                return response
            case .failure(let failure) where failure.retryable && !retried:
                retried = true
            case .failure(let failure):
                throw failure.error
            }
        }
    }

    /// Closes idle connections and refuses new requests; responses being read finish first.
    public func shutdown() {
        let all = pools.withLock { pools -> [ConnectionPool] in
            defer { pools = nil }
            return pools.map { Array($0.values) } ?? []
        }
        for pool in all { pool.shutDown() }
    }

    /// Completed TLS handshakes so far: full ones and those that resumed a session.
    public var tlsHandshakes: (full: Int, resumed: Int) { settings.handshakeCount }

    /// Host name lookups made so far (cached answers and IP literals make none).
    public var dnsLookups: Int { settings.resolver.lookupCount }

    /// The loop index of each idle connection to `origin`.
    func idleLoopIndexes(_ origin: HTTPOrigin) -> [Int] {
        pools.withLock { $0?[origin]?.idleLoopIndexes ?? [] }
    }

    private func pool(for origin: HTTPOrigin) throws(HTTPClientError) -> ConnectionPool {
        let pool = pools.withLock { pools -> ConnectionPool? in
            guard pools != nil else { return nil }
            if let pool = pools?[origin] { return pool }
            let route = ConnectionRoute(origin: origin, proxy: configuration.proxy.proxy(for: origin))
            let pool = ConnectionPool(route: route, maxConnections: configuration.maxConnectionsPerOrigin, settings: settings, group: group)
            pools?[origin] = pool
            return pool
        }
        guard let pool else { throw .connectionFailed("\(origin): the HTTP client is shut down") }
        return pool
    }
}
