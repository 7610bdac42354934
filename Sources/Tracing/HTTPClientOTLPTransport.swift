// The OTLP transport of the service: export POSTs on the project's HTTP client (keep-alive, TLS, proxies).
import Foundation
import HTTPClient
import HTTPWire

/// Posts export requests with its own `HTTPClient`, whose connect, first-byte and idle timeouts
/// are the exporter's request timeout, so a receiver that is down or slow costs one batch its
/// attempt and nothing else.
public final class HTTPClientOTLPTransport: OTLPTransport {
    private let client: HTTPClient

    public init(requestTimeout: Double, caFile: String? = nil) {
        client = HTTPClient(configuration: .batchPosts(requestTimeout: requestTimeout, caFile: caFile))
    }

    public func post(url: URL, headers: [TracingConfiguration.Header], body: [UInt8], timeout: Double) async -> OTLPPostResult {
        do {
            let request = try HTTPClientRequest(
                method: "POST", url: url, headers: HTTPHeaders(headers.map { ($0.name, $0.value) }), body: body)
            let response = try await client.execute(request)
            // Read (and drop) the body so the connection can be kept alive.
            _ = try await response.body.collect(upTo: 64 * 1024)
            let retryAfter = response.headers.retryAfterSeconds
            return .status(response.status, retryAfter: retryAfter)
        } catch {
            return .failed(error.message)
        }
    }

    /// Closes the client's connections; later posts fail.
    public func shutdown() {
        client.shutdown()
    }
}
