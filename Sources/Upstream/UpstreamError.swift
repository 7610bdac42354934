// Upstream failures and what they mean for the client.
import Metering

/// Upstream failures, each with the client-facing meaning the contract gives it.
public enum UpstreamError: Error, Sendable, Equatable {
    /// Could not connect / connection refused / reset before an answer → 502 `upstream_error`.
    case connectionFailed(String)
    /// Connect, first-byte or idle-between-events timeout → 504 `upstream_timeout`.
    case timeout(String)
    /// 429 from the upstream → 429 `rate_limited`, with its `Retry-After` when given.
    case rateLimited(retryAfter: String?, message: String)
    /// 401/403 from the upstream → 502 with a message naming the upstream key.
    case unauthorized(String)
    /// The thread (conversation) is unknown upstream → 404 `thread_not_found`.
    case threadNotFound(String)
    /// Any other non-2xx status → 502 `upstream_error`.
    case badStatus(Int, String)
    /// Malformed JSON/SSE from the upstream → `upstream_error`.
    case malformed(String)
    /// The run ended failed/incomplete/cancelled/expired → `upstream_error`.
    case runEnded(RunStatus, String)
    /// The stream ended without a terminal event → `upstream_error`.
    case streamBroken(String)

    /// Contract `error.code`.
    public var code: String {
        switch self {
        case .timeout: "upstream_timeout"
        case .rateLimited: "rate_limited"
        case .threadNotFound: "thread_not_found"
        default: "upstream_error"
        }
    }

    /// HTTP status when the failure happens before the response started.
    public var httpStatus: Int {
        switch self {
        case .timeout: 504
        case .rateLimited: 429
        case .threadNotFound: 404
        default: 502
        }
    }

    /// Human-readable message for the client.
    public var message: String {
        switch self {
        case .connectionFailed(let m): "upstream connection failed: \(m)"
        case .timeout(let m): "upstream timed out: \(m)"
        case .rateLimited(_, let m): "upstream rate limited: \(m)"
        case .unauthorized(let m): "upstream rejected the API key (OPENAI_API_KEY): \(m)"
        case .threadNotFound(let m): "thread not found upstream: \(m)"
        case .badStatus(let s, let m): "upstream answered \(s): \(m)"
        case .malformed(let m): "malformed upstream data: \(m)"
        case .runEnded(let status, let m): "run \(status.rawValue) upstream: \(m)"
        case .streamBroken(let m): "upstream stream ended early: \(m)"
        }
    }
}
