// HTTP to one upstream over the shared HTTP client: streamed bodies, JSON calls, rate limits.
import Foundation
import HTTPClient
import HTTPWire
import Telemetry

/// HTTP to one upstream: JSON calls and streamed bodies over an `HTTPClient` (kept-alive connections
/// on the event loops, TLS verified for `https://`, proxies from the environment), keeping the latest
/// rate-limit headers. Cancelling the calling Swift task cancels the transfer.
final class UpstreamHTTPClient: Sendable {
    let configuration: UpstreamConfiguration
    let rateLimits: RateLimitStore
    let http: HTTPClient
    private let origin: HTTPOrigin
    /// The base URL's path without a trailing slash, e.g. `/v1`.
    private let basePath: String
    private let logger: Logger

    /// - Parameter rateLimits: where the `x-ratelimit-*` headers go; a store shared with another
    ///   client of the same upstream shows the latest values either of them saw.
    init(configuration: UpstreamConfiguration, logger: Logger, rateLimits: RateLimitStore = RateLimitStore()) {
        self.configuration = configuration
        self.rateLimits = rateLimits
        self.logger = logger
        origin = HTTPOrigin(url: configuration.baseURL) ?? HTTPOrigin(scheme: .https, host: "api.openai.com")
        var path = configuration.baseURL.path
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        http = HTTPClient(configuration: configuration.httpClientConfiguration)
    }

    /// An upstream request.
    struct Request: Sendable {
        var method: String
        /// Path below the base URL, e.g. `threads/thread_abc/runs`.
        var path: String
        var headers: [(String, String)]
        var body: Data?
        /// The query string to send as is (without `?`); nil for none.
        var query: String? = nil
    }

    /// Sends `request` and returns once the response head arrived; the body streams in afterwards.
    func send(_ request: Request) async throws(UpstreamError) -> UpstreamHTTPResponse {
        if logger.isEnabled(.debug) {
            logger.debug("upstream request", [("method", request.method), ("path", request.path)])
        }
        let response: UpstreamHTTPResponse
        do {
            response = UpstreamHTTPResponse(try await http.execute(HTTPClientRequest(
                method: request.method, origin: origin, target: target(request.path) + (request.query.map { "?" + $0 } ?? ""),
                headers: HTTPHeaders(request.headers), body: request.body.map { Array($0) })))
        } catch {
            throw UpstreamError(error)
        }
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

    /// Bytes a path segment keeps as they are: RFC 3986 `pchar` without `/`, `;`, `?`, `#`
    /// (Foundation's `urlPathAllowed` minus those four); every other byte is percent-encoded.
    static let pathAllowed: [Bool] = (0..<256).map { b in
        switch UInt8(b) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!$&'()*+,-.:=@_~".utf8.contains(UInt8(b))
        }
    }

    /// The origin-form target: the base path, then each segment of `path` percent-encoded (UTF-8,
    /// uppercase hex), written as bytes (Foundation's `addingPercentEncoding` cost ~50k instructions
    /// per call).
    func target(_ path: String) -> String {
        var bytes = Array(basePath.utf8)
        bytes.reserveCapacity(bytes.count + path.utf8.count + 8)
        let hex: StaticString = "0123456789ABCDEF"
        for component in path.utf8.split(separator: UInt8(ascii: "/")) {
            bytes.append(UInt8(ascii: "/"))
            for byte in component {
                if Self.pathAllowed[Int(byte)] {
                    bytes.append(byte)
                } else {
                    bytes.append(UInt8(ascii: "%"))
                    bytes.append(hex.utf8Start[Int(byte >> 4)])
                    bytes.append(hex.utf8Start[Int(byte & 0xF)])
                }
            }
        }
        return bytes.isEmpty ? "/" : String(decoding: bytes, as: UTF8.self)
    }
}
