// HTTP to one upstream over a transport: streamed bodies, JSON calls, rate limits.
import Foundation
import Telemetry

/// HTTP to one upstream: JSON calls and streamed bodies over the configured `UpstreamTransport`
/// (the native HTTP/1.1 transport for `http://` base URLs, URLSession for `https://`), keeping the
/// latest rate-limit headers. Cancelling the calling Swift task cancels the transfer.
final class UpstreamHTTPClient: Sendable {
    let configuration: UpstreamConfiguration
    let rateLimits = RateLimitStore()
    private let transport: any UpstreamTransport
    private let logger: Logger

    init(configuration: UpstreamConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        switch configuration.resolvedTransport {
        case .native:
            transport = NativeHTTPTransport(configuration: configuration, logger: logger)
        case .urlSession, .automatic:
            transport = URLSessionTransport(configuration: configuration, logger: logger)
        }
    }

    /// An upstream request.
    struct Request: Sendable {
        var method: String
        /// Path below the base URL, e.g. `threads/thread_abc/runs`.
        var path: String
        var headers: [(String, String)]
        var body: Data?
    }

    /// Sends `request` and returns once the response head arrived; the body streams in afterwards.
    func send(_ request: Request) async throws(UpstreamError) -> UpstreamHTTPResponse {
        if logger.isEnabled(.debug) {
            logger.debug("upstream request", [("method", request.method), ("path", request.path)])
        }
        let response = try await transport.send(request)
        let limits = rateLimits.record(response.headers)
        if logger.isEnabled(.debug) {
            logger.debug("upstream response", [("path", request.path), ("status", String(response.status))])
            if !limits.isEmpty {
                logger.debug("upstream rate limits", limits.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
        }
        return response
    }

    /// Sends `request`, reads the whole body, and returns status, headers and body.
    func exchange(_ request: Request) async throws(UpstreamError) -> (status: Int, headers: [String: String], body: Data) {
        let response = try await send(request)
        let body = try await response.collect(limit: configuration.maxJSONBodyBytes)
        return (response.status, response.headers, body)
    }
}
