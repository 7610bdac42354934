// The drop-in surfaces' way upstream: a client's request forwarded with ThreadMeter's own key.
import Foundation
import Telemetry

/// Forwards requests of the drop-in OpenAI surfaces (contract §8) to the configured upstream over the
/// shared HTTP client: ThreadMeter's `OPENAI_API_KEY` replaces whatever the client authenticated
/// with, `OpenAI-Beta: assistants=v2` goes with the Assistants routes, and the caller's
/// `Idempotency-Key`, content type and query string go along. Bodies are sent and returned as bytes.
public final class DropInUpstream: Sendable {
    /// Which API a forwarded request belongs to.
    public enum Surface: String, Sendable {
        case assistants
        case responses
    }

    private let client: UpstreamHTTPClient
    private let apiKey: String?

    /// A forwarder to `configuration.baseURL` with `configuration.apiKey` (nil or empty: every
    /// request fails with `unauthorized` before any network traffic; check `isConfigured`).
    /// With `queryUpstream` (the `/v1/query` provider of the same upstream) both keep one record of
    /// the latest `x-ratelimit-*` headers, so `/stats` shows what the upstream said last to either.
    public init(configuration: UpstreamConfiguration, logger: Logger, sharingRateLimitsWith queryUpstream: (any RunProvider)? = nil) {
        let shared = (queryUpstream as? any RateLimitSharing)?.rateLimitStore ?? RateLimitStore()
        client = UpstreamHTTPClient(configuration: configuration, logger: logger, rateLimits: shared)
        apiKey = configuration.apiKey.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a real upstream (an API key) is configured.
    public var isConfigured: Bool { apiKey != nil }

    /// Sends one request and returns once its head arrived; the body streams in afterwards.
    /// - Parameters:
    ///   - path: segments below the base URL (`["threads", id, "runs"]`); each is percent-encoded.
    ///   - query: the client's raw query string (without `?`), forwarded as is.
    ///   - headers: the client headers to forward (the caller picks them; never `Authorization`).
    public func send(method: String, path: [String], query: String?, headers: [(String, String)], body: [UInt8]?,
                     surface: Surface, streaming: Bool = false) async throws(UpstreamError) -> DropInResponse {
        guard let apiKey else { throw .unauthorized("OPENAI_API_KEY is not set") }
        var outgoing = [("Authorization", "Bearer \(apiKey)")]
        if surface == .assistants { outgoing.append(("OpenAI-Beta", "assistants=v2")) }
        if streaming { outgoing.append(("Accept", "text/event-stream")) }
        outgoing += headers
        let request = UpstreamHTTPClient.Request(method: method, path: path.joined(separator: "/"), headers: outgoing,
                                                 body: body.map { Data($0) }, query: query)
        return DropInResponse(try await client.send(request))
    }

    /// Latest `x-ratelimit-*` headers this forwarder saw.
    public func rateLimitSnapshot() -> [String: String] { client.rateLimits.snapshot() }
}
