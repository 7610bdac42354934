// The native HTTP/1.1 transport for plain-http upstreams: pooled keep-alive sockets, no URLSession.
import Foundation
import Synchronization
import Telemetry

/// Sends requests over the `NativeConnectionPool` of the base URL's host:port. Timeouts: the connect
/// (`connectTimeout`), the response head after the request was written (`firstByteTimeout`), and
/// gaps between body chunks (`idleTimeout`). A request that found its reused keep-alive connection
/// dead is sent once more on a fresh connection when that is safe (see `NativeFailure`).
final class NativeHTTPTransport: UpstreamTransport {
    let pool: NativeConnectionPool
    private let endpoint: NativeEndpoint
    private let logger: Logger
    private let exchangeIDs = Atomic<Int>(0)

    init(configuration: UpstreamConfiguration, logger: Logger) {
        endpoint = NativeEndpoint(baseURL: configuration.baseURL)
        self.logger = logger
        pool = NativeConnectionPool(
            endpoint: endpoint,
            maxConnections: configuration.maxConnections,
            timeouts: .init(
                connect: configuration.connectTimeout,
                firstByte: configuration.firstByteTimeout,
                idle: configuration.idleTimeout,
                poolIdle: configuration.poolIdleTimeout))
    }

    deinit {
        pool.shutDown()
    }

    func send(_ request: UpstreamHTTPClient.Request) async throws(UpstreamError) -> UpstreamHTTPResponse {
        let bytes = try endpoint.serialize(request)
        var retried = false
        while true {
            if Task.isCancelled { throw .connectionFailed("\(endpoint.target): request cancelled") }
            let lease = try await pool.checkout(fresh: retried)
            let exchangeID = exchangeIDs.add(1, ordering: .relaxed).newValue
            let connection = lease.connection
            let result = await withTaskCancellationHandler {
                await withCheckedContinuation { (head: CheckedContinuation<NativeConnection.HeadResult, Never>) in
                    connection.perform(bytes, method: request.method, reused: lease.reused, exchangeID: exchangeID, head: head)
                }
            } onCancel: {
                connection.abort(exchangeID)
            }
            switch result {
            case .success(let response):
                return response
            case .failure(let failure) where failure.retryable && !retried:
                retried = true
                if logger.isEnabled(.debug) {
                    logger.debug("upstream keep-alive connection was dead; sending again on a fresh one",
                                 [("method", request.method), ("path", request.path), ("error", failure.error.message)])
                }
            case .failure(let failure):
                throw failure.error
            }
        }
    }
}
