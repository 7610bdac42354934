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

    static let pathAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/;?#")
        return set
    }()

    /// The origin-form target: the base path, then each segment of `path` percent-encoded.
    func target(_ path: String) -> String {
        var target = basePath
        for component in path.split(separator: "/") {
            target += "/"
            if Self.needsNoEncoding(component) {
                target += component
            } else {
                target += String(component).addingPercentEncoding(withAllowedCharacters: Self.pathAllowed) ?? ""
            }
        }
        return target.isEmpty ? "/" : target
    }

    /// Whether every byte of `segment` is an ASCII character of `pathAllowed`, which percent-encoding
    /// leaves as it is (the usual case: `threads`, `thread_abc`, `runs`). `addingPercentEncoding` goes
    /// through `NSString` on Linux, ~10% of the service's time on a query's way to the upstream.
    static func needsNoEncoding(_ segment: Substring) -> Bool {
        segment.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                 UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
                true
            default:
                false
            }
        }
    }
}
