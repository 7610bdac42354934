// The usage webhook's transport: batch POSTs on the project's HTTP client (keep-alive, TLS, proxies).
import Foundation
import HTTPClient
import HTTPWire
import Telemetry

/// Posts usage-event batches with its own `HTTPClient`, whose connect, first-byte and idle timeouts
/// are the webhook's request timeout: a collector that is down or slow costs a batch an attempt
/// and nothing else. Replaces URLSession, so FoundationNetworking is not in the service.
public final class HTTPClientUsageWebhookTransport: UsageWebhookTransport {
    private let client: HTTPClient

    public init(requestTimeout: Double, caFile: String? = nil) {
        client = HTTPClient(configuration: .batchPosts(requestTimeout: requestTimeout, caFile: caFile))
    }

    public func post(url: URL, headers: [(String, String)], body: [UInt8]) async -> UsageWebhookPostResult {
        do {
            let request = try HTTPClientRequest(method: "POST", url: url, headers: HTTPHeaders(headers), body: body)
            let response = try await client.execute(request)
            // Read the body (kept for the log, at most 1 MiB) so the connection can be reused.
            let answer = try await response.body.collect(upTo: 1 << 20)
            let retryAfter = response.headers.retryAfterSeconds
            return .answered(status: response.status, retryAfter: retryAfter, body: Array(answer.prefix(200)))
        } catch {
            return .failed(error.message)
        }
    }

    /// Closes the client's connections; later posts fail.
    public func shutdown() {
        client.shutdown()
    }
}
