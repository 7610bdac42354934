// How the connections of one origin reach it: directly, through an HTTP proxy, or through a CONNECT tunnel.

/// Where a pool's connections connect, and how their requests are written.
struct ConnectionRoute: Sendable {
    let origin: HTTPOrigin
    let proxy: HTTPProxySettings.Proxy?

    init(origin: HTTPOrigin, proxy: HTTPProxySettings.Proxy?) {
        self.origin = origin
        self.proxy = proxy
    }

    /// `https://` through a proxy: `CONNECT host:port`, then TLS inside the tunnel.
    var tunnel: Bool { proxy != nil && origin.scheme == .https }
    /// `http://` through a proxy: requests carry absolute-form targets (RFC 9112 §3.2.2).
    var absoluteForm: Bool { proxy != nil && origin.scheme == .http }
    /// `Proxy-Authorization` on each request (plain http through a proxy).
    var requestProxyAuthorization: String? { absoluteForm ? proxy?.authorization : nil }
    var connectHost: String { proxy?.host ?? origin.host }
    var connectPort: Int { proxy?.port ?? origin.port }
}
