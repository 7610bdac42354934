// Who may call a route: declared per route in the route table.

/// A route's access rule.
enum AuthPolicy: Sendable, Equatable {
    /// Anyone (`/health`, `/dashboard`).
    case none
    /// Operators: `Authorization: Bearer <ADMIN_TOKEN>`; with `ADMIN_TOKEN` unset, loopback clients only.
    case admin
    /// Clients: `Authorization: Bearer <one of API_KEYS>` when `API_KEYS` is set; open otherwise.
    case clientKey
    /// The drop-in OpenAI surfaces (contract §8): `Authorization: Bearer <one of API_KEYS>`, and 401
    /// while `API_KEYS` is unset (they would otherwise relay anyone's requests with the operator's key).
    case clientKeyRequired
}
