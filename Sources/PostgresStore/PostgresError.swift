// Errors of the PostgreSQL store, each with a one-line message an operator can act on.

/// A PostgreSQL store failure.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// `DATABASE_URL` is not a usable PostgreSQL URL.
        case invalidURL
        /// A connection could not be made (refused, unknown host, authentication, …).
        case connectionFailed
        /// An established connection broke (server stopped, network gone).
        case connectionLost
        /// A statement or connection attempt did not finish in time.
        case timeout
        /// No connection is up and none is being made: the store is unreachable.
        case unavailable
        /// The server answered with an error (`sqlState` says which).
        case server
        /// The database holds a schema newer than this build.
        case schemaTooNew
        /// The database has tables this build does not recognise as its own.
        case notOurSchema
        /// The store was closed.
        case closed
    }

    public var kind: Kind
    /// The SQLSTATE of a server error (`23505`, `57P01`, …).
    public var sqlState: String?
    public var message: String

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
    }

    /// Whether the failure is about reaching the server rather than about the statement.
    public var isConnectivity: Bool {
        switch kind {
        case .connectionFailed, .connectionLost, .timeout, .unavailable, .closed: true
        case .server:
            // Class 08 (connection exception) and 57P0x (shutdown, crash) come from a going server.
            sqlState.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? false
        case .invalidURL, .schemaTooNew, .notOurSchema: false
        }
    }

    public var description: String {
        sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message
    }
}
