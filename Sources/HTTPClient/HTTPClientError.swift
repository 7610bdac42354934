// Why an HTTP client request failed.

/// A failed request or body. Each case carries a one-line message naming the target and the reason.
public enum HTTPClientError: Error, Sendable, Equatable {
    /// DNS, connect, reset, the peer closing early, the request cancelled, or a proxy refusing the tunnel.
    case connectionFailed(String)
    /// The TLS handshake failed; the message says why (the verifier's reason for a certificate).
    case tlsFailed(String)
    /// Connect, first-byte, idle-between-chunks or wait-for-a-connection timeout.
    case timeout(String)
    /// The response could not be parsed (bad framing, oversized head).
    case malformedResponse(String)
    /// The request cannot be sent as given (bad method, header name or value, URL).
    case invalidRequest(String)

    /// The message, whatever the case.
    public var message: String {
        switch self {
        case .connectionFailed(let text), .tlsFailed(let text), .timeout(let text), .malformedResponse(let text), .invalidRequest(let text):
            text
        }
    }
}
