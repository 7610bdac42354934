// Which requests go through a proxy: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and their lowercase forms).
import EventLoops
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Proxies per target scheme plus the hosts that bypass them. `https://` targets go through a
/// `CONNECT host:port` tunnel with TLS inside it; `http://` targets are sent to the proxy with
/// absolute-form request targets.
public struct HTTPProxySettings: Sendable, Equatable {
    /// A proxy server (`http://[user:password@]host:port`).
    public struct Proxy: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// `Proxy-Authorization` value (Basic) when the proxy URL carries credentials.
        public var authorization: String?

        public init(host: String, port: Int, authorization: String? = nil) {
            self.host = host
            self.port = port
            self.authorization = authorization
        }

        /// Parses `http://host:port`, `host:port` or `http://user:pass@host:port`; nil when unusable.
        public init?(_ text: String) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
            guard let components = URLComponents(string: withScheme), components.scheme?.lowercased() == "http",
                  let host = components.host, !host.isEmpty else { return nil }
            self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            port = components.port ?? 80
            if let user = components.user {
                let credentials = "\(user.removingPercentEncoding ?? user):\(components.password?.removingPercentEncoding ?? "")"
                authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
            } else {
                authorization = nil
            }
        }

        var origin: HTTPOrigin { HTTPOrigin(scheme: .http, host: host, port: port) }
    }

    public var httpProxy: Proxy?
    public var httpsProxy: Proxy?
    /// `NO_PROXY` entries: `*`, host names (matching themselves and their subdomains, a leading `.`
    /// or `*.` allowed), IP addresses (exact), each optionally with `:port`.
    public var noProxy: [String]

    public init(httpProxy: Proxy? = nil, httpsProxy: Proxy? = nil, noProxy: [String] = []) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    /// No proxy at all.
    public static let direct = HTTPProxySettings()

    /// The settings in `environment`: the lowercase variable wins over the uppercase one.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HTTPProxySettings {
        func value(_ name: String) -> String? {
            let text = environment[name.lowercased()] ?? environment[name]
            return text?.isEmpty == false ? text : nil
        }
        return HTTPProxySettings(
            httpProxy: value("HTTP_PROXY").flatMap(Proxy.init),
            httpsProxy: value("HTTPS_PROXY").flatMap(Proxy.init),
            noProxy: (value("NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty })
    }

    /// The proxy a request to `origin` goes through, or nil for a direct connection. Loopback
    /// hosts (`localhost`, `127.0.0.0/8`, `::1`) are always reached directly.
    public func proxy(for origin: HTTPOrigin) -> Proxy? {
        guard let proxy = origin.scheme == .https ? httpsProxy : httpProxy else { return nil }
        return bypasses(origin) || Self.isLoopback(origin.host) ? nil : proxy
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        guard SocketAddress.literal(host, port: 0)?.family == AF_INET else { return false }
        return host.hasPrefix("127.")
    }

    /// Whether `NO_PROXY` names `origin`'s host.
    public func bypasses(_ origin: HTTPOrigin) -> Bool {
        let host = origin.host.lowercased()
        return noProxy.contains { entry in
            if entry == "*" { return true }
            var name = Substring(entry)
            if let colon = name.lastIndex(of: ":"), !name.contains("]"), name.firstIndex(of: ":") == colon {
                guard Int(name[name.index(after: colon)...]) == origin.port else { return false }
                name = name[..<colon]
            }
            if name.hasPrefix("[") && name.hasSuffix("]") { name = name.dropFirst().dropLast() }
            if name.hasPrefix("*.") { name = name.dropFirst() }
            if name.hasPrefix(".") { name = name.dropFirst() }
            guard !name.isEmpty else { return false }
            if host == name { return true }
            // Only a host name matches by suffix; an IP address matches exactly.
            return SocketAddress.literal(host, port: 0) == nil && host.hasSuffix("." + name)
        }
    }
}
