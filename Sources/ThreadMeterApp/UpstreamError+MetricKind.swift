// The metric label of each upstream failure.
import Upstream

extension UpstreamError {
    /// Low-cardinality label for `threadmeter_upstream_errors_total{kind}`.
    var metricKind: String {
        switch self {
        case .connectionFailed: "connection"
        case .timeout: "timeout"
        case .rateLimited: "rate_limited"
        case .unauthorized: "unauthorized"
        case .threadNotFound: "not_found"
        case .badStatus: "bad_status"
        case .malformed: "malformed"
        case .runEnded: "run_failed"
        case .streamBroken: "stream_broken"
        }
    }
}
