// Cross-origin access to /v1/... for browser clients (CORS_ORIGINS), as a pure policy: headers in, headers out.

/// Which origins may call `/v1/...` from a browser, and the CORS headers that say so
/// (Fetch standard, "CORS protocol"). Unset `CORS_ORIGINS`: no policy, no CORS headers at all.
/// A refused origin gets no CORS headers either, so the browser withholds the response.
public struct CORSPolicy: Sendable, Equatable {
    public enum Origins: Sendable, Equatable {
        /// `*`: any origin, answered with `Access-Control-Allow-Origin: *`.
        case any
        /// Exact origins (`scheme://host[:port]`, lowercased), each echoed back with `Vary: Origin`.
        case listed(Set<String>)
    }

    public var origins: Origins
    /// `Access-Control-Max-Age` of preflight answers, in seconds.
    public var maxAgeSeconds: Int = 600

    public static let allowedMethods = "GET, POST, OPTIONS"
    /// What a browser client may send: auth, JSON, trace context, and the drop-in routes' headers.
    public static let allowedHeaders = "Authorization, Content-Type, traceparent, tracestate, Idempotency-Key, OpenAI-Beta"
    /// What a browser client may read besides the CORS-safelisted response headers.
    public static let exposedHeaders = [
        "Retry-After", "X-Request-Id",
        "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
    ].joined(separator: ", ")

    public init(origins: Origins) {
        self.origins = origins
    }

    /// Reads `CORS_ORIGINS`: unset or empty → nil (no CORS); `*`; or comma-separated origins such as
    /// `https://app.example.com, http://localhost:3000`. Anything that is not an origin is a startup error.
    public static func fromEnvironment(_ value: String?) throws(ServiceConfiguration.ConfigurationError) -> CORSPolicy? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        var origins: Set<String> = []
        for entry in value.split(separator: ",") {
            var origin = entry.trimmingCharacters(in: .whitespaces).lowercased()
            if origin == "*" { return CORSPolicy(origins: .any) }
            if origin.hasSuffix("/") { origin.removeLast() }
            guard isOrigin(origin) else {
                throw ServiceConfiguration.ConfigurationError("CORS_ORIGINS entries must be * or origins like https://app.example.com[:port], got '\(entry)'")
            }
            origins.insert(origin)
        }
        return origins.isEmpty ? nil : CORSPolicy(origins: .listed(origins))
    }

    /// The value of `Access-Control-Allow-Origin` for a request from `origin`, nil when refused.
    public func allowedOrigin(for origin: String?) -> String? {
        switch origins {
        case .any:
            return "*"
        case .listed(let allowed):
            guard let origin, allowed.contains(origin.lowercased()) else { return nil }
            return origin
        }
    }

    /// Headers for an actual (non-preflight) response to a request with this `Origin`; empty when
    /// the request has no `Origin` or the origin is refused.
    public func responseHeaders(origin: String?) -> [(name: String, value: String)] {
        guard var headers = originHeaders(origin) else { return [] }
        headers.append((name: "Access-Control-Expose-Headers", value: Self.exposedHeaders))
        return headers
    }

    /// Headers for the 204 answer to a preflight `OPTIONS` from `origin`; empty when refused.
    public func preflightHeaders(origin: String?) -> [(name: String, value: String)] {
        guard var headers = originHeaders(origin) else { return [] }
        headers.append((name: "Access-Control-Allow-Methods", value: Self.allowedMethods))
        headers.append((name: "Access-Control-Allow-Headers", value: Self.allowedHeaders))
        headers.append((name: "Access-Control-Max-Age", value: String(maxAgeSeconds)))
        return headers
    }

    /// `Access-Control-Allow-Origin` (and `Vary: Origin` when it echoes the origin); nil when the
    /// request has no `Origin` or it is refused.
    private func originHeaders(_ origin: String?) -> [(name: String, value: String)]? {
        guard origin != nil, let allowed = allowedOrigin(for: origin) else { return nil }
        var headers = [(name: "Access-Control-Allow-Origin", value: allowed)]
        if allowed != "*" { headers.append((name: "Vary", value: "Origin")) }
        return headers
    }

    /// `http(s)://host[:port]` with nothing after the authority.
    static func isOrigin(_ text: String) -> Bool {
        let rest: Substring
        if text.hasPrefix("https://") { rest = text.dropFirst(8) } else if text.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        guard !rest.isEmpty, !rest.contains(where: { "/?#@ ".contains($0) }) else { return false }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2 { return !parts[0].isEmpty && UInt16(parts[1]) != nil }
        return parts.count == 1
    }
}
