// Why the server could not start.
import EventLoops

/// A failure to start listening.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `host` is not an IPv4/IPv6 literal or `localhost`.
    case invalidHost(String)
    /// `port` is outside 0...65535.
    case invalidPort(Int)
    /// A socket call failed (`call` is the system call, `errno` its error).
    case socketFailed(call: String, errno: Int32)
    /// `start()` was called twice, or after shutdown.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidHost(let host): "invalid listen host '\(host)': use an IPv4 or IPv6 literal or localhost"
        case .invalidPort(let port): "invalid listen port \(port): must be 0...65535"
        case .socketFailed(let call, let code): "\(call) failed: \(SystemError.describe(code))"
        case .alreadyStarted: "the server was already started"
        }
    }
}
