// The error code of each upstream failure (contract §1).
import Upstream

extension ErrorCode {
    /// The code of an upstream failure.
    init(_ error: UpstreamError) {
        switch error {
        case .timeout: self = .upstreamTimeout
        case .rateLimited: self = .rateLimited
        case .threadNotFound: self = .threadNotFound
        case .connectionFailed, .unauthorized, .badStatus, .malformed, .runEnded, .streamBroken: self = .upstreamError
        }
    }
}
