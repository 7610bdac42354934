// The seam between the usage-event shipper and the network: one POST of a batch.
import Foundation

/// Posts one batch of HEC events. The service's implementation uses the project's HTTP client
/// (`HTTPClientUsageWebhookTransport` in ThreadMeterApp); Telemetry itself opens no sockets.
public protocol UsageWebhookTransport: Sendable {
    /// POSTs `body` to `url` with `headers` (Content-Type included) and answers how it went.
    func post(url: URL, headers: [(String, String)], body: [UInt8]) async -> UsageWebhookPostResult
    /// Releases connections once the shipper has shut down.
    func shutdown()
}

/// What a webhook POST came to.
public enum UsageWebhookPostResult: Sendable, Equatable {
    /// The collector answered with this status, its `Retry-After` seconds (if any) and the start of its body.
    case answered(status: Int, retryAfter: Double?, body: [UInt8])
    /// No answer: connection refused, reset, timed out.
    case failed(String)
}
