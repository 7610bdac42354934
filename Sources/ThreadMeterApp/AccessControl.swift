// Applies a route's auth policy to one request (contract §3 "Auth for operators and clients").
import HTTPWire

/// The configured credentials, and the decision for each policy.
struct AccessControl: Sendable {
    /// `ADMIN_TOKEN`; nil when unset (admin routes are then loopback-only: protected by default).
    let adminToken: BearerAuth?
    /// `API_KEYS`; nil when unset (client routes are then open).
    let clientKeys: BearerAuth?

    init(adminToken: String?, apiKeys: [String]) {
        self.adminToken = adminToken.map { BearerAuth(tokens: [$0]) }
        self.clientKeys = apiKeys.isEmpty ? nil : BearerAuth(tokens: apiKeys)
    }

    /// Why the request may not proceed, or nil when it may.
    /// - Parameter peer: the client's address; nil when it could not be read (treated as remote).
    ///   Read only for an admin route without `ADMIN_TOKEN`.
    func refusal(_ policy: AuthPolicy, headers: HTTPHeaders, peer: @autoclosure () -> IPAddress?) -> APIError? {
        switch policy {
        case .none:
            return nil
        case .admin:
            if let adminToken {
                return adminToken.allows(headers) ? nil : .unauthorized
            }
            return peer()?.isLoopback == true ? nil : .adminTokenRequired
        case .clientKey:
            guard let clientKeys else { return nil }
            return clientKeys.allows(headers) ? nil : .unauthorized
        case .clientKeyRequired:
            guard let clientKeys else { return .apiKeysRequired }
            return clientKeys.allows(headers) ? nil : .unauthorized
        }
    }
}
