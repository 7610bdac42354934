// Where a request goes: scheme, host and port (the key of a connection pool).
import EventLoops
import Foundation

/// The scheme, host and port of a request; requests to one origin share kept-alive connections.
public struct HTTPOrigin: Hashable, Sendable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http, https

        /// The port used when a URL names none.
        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public let scheme: Scheme
    /// Host name or IP address, without IPv6 brackets.
    public let host: String
    public let port: Int
    /// The `Host` field value: the port only when it is not the scheme's default (made once: it is
    /// written into every request head).
    public let hostField: String

    public init(scheme: Scheme, host: String, port: Int? = nil) {
        self.scheme = scheme
        var host = host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port ?? scheme.defaultPort
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostField = self.port == scheme.defaultPort ? bracketed : "\(bracketed):\(self.port)"
    }

    /// The origin of an absolute `http`/`https` URL with a host; nil otherwise.
    public init?(url: URL) {
        guard let scheme = url.scheme.flatMap({ Scheme(rawValue: $0.lowercased()) }), let host = url.host, !host.isEmpty else { return nil }
        self.init(scheme: scheme, host: host, port: url.port)
    }

    /// `host:port`, for messages and the `CONNECT` target (IPv6 in brackets).
    public var description: String { "\(bracketedHost):\(port)" }

    var bracketedHost: String { host.contains(":") ? "[\(host)]" : host }

    /// Whether `host` is an IPv4 or IPv6 literal (no DNS lookup, verified against IP SANs, no SNI).
    public var hostIsIPAddress: Bool { SocketAddress.literal(host, port: port) != nil }
}
