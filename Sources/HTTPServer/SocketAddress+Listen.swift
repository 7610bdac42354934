// Listen addresses from configuration strings.
import EventLoops

extension SocketAddress {
    /// Parses an IPv4 literal, an IPv6 literal (brackets optional) or `localhost` (→ 127.0.0.1).
    /// Names are not resolved: a listen address should not depend on DNS.
    static func listenAddress(host: String, port: Int) throws(HTTPServerError) -> SocketAddress {
        guard (0...65535).contains(port) else { throw .invalidPort(port) }
        var text = host.lowercased() == "localhost" ? "127.0.0.1" : host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        guard let address = Self.literal(text, port: port) else { throw .invalidHost(host) }
        return address
    }
}
