// Failures of the test client.

/// Why a test client call failed.
public enum TestClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectFailed(errno: Int32)
    case sendFailed(errno: Int32)
    case receiveFailed(errno: Int32)
    /// Nothing (or not enough) arrived in time.
    case timedOut(waitingFor: String)
    /// The server closed the connection before a complete message arrived.
    case closedEarly(waitingFor: String)
    /// The bytes were not a valid HTTP response or event stream.
    case malformed(String)

    public var description: String {
        switch self {
        case .connectFailed(let code): "connect failed (errno \(code))"
        case .sendFailed(let code): "send failed (errno \(code))"
        case .receiveFailed(let code): "recv failed (errno \(code))"
        case .timedOut(let what): "timed out waiting for \(what)"
        case .closedEarly(let what): "connection closed while waiting for \(what)"
        case .malformed(let what): "malformed response: \(what)"
        }
    }
}
