// The `error.code` values the service answers with (contract §1, §3), each with its usual status.

/// A client-facing error code.
public enum ErrorCode: String, Sendable, Equatable, CaseIterable {
    case invalidRequest = "invalid_request"
    case unauthorized
    case adminTokenRequired = "admin_token_required"
    case notFound = "not_found"
    case threadNotFound = "thread_not_found"
    case methodNotAllowed = "method_not_allowed"
    case unsupportedMediaType = "unsupported_media_type"
    case rateLimited = "rate_limited"
    /// A budget of the run's thread, account or the whole service is used up (contract §9).
    case budgetExceeded = "budget_exceeded"
    case clientClosed = "client_closed"
    case upstreamError = "upstream_error"
    case storageError = "storage_error"
    case shuttingDown = "shutting_down"
    case upstreamTimeout = "upstream_timeout"

    /// The status answered when this error ends a request before its response started.
    public var status: Int {
        switch self {
        case .invalidRequest: 400
        case .unauthorized: 401
        case .adminTokenRequired: 403
        case .notFound, .threadNotFound: 404
        case .methodNotAllowed: 405
        case .unsupportedMediaType: 415
        case .rateLimited, .budgetExceeded: 429
        case .clientClosed: 499
        case .upstreamError: 502
        case .storageError, .shuttingDown: 503
        case .upstreamTimeout: 504
        }
    }
}
