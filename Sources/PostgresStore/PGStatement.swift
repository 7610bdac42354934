// A statement prepared once per connection, then executed by name.

/// A named statement; each pooled connection prepares it on first use (`PQsendPrepare`) and then
/// executes it by name (`PQsendQueryPrepared`): parsed and planned once per connection.
public struct PGStatement: Sendable, Hashable {
    public let name: String
    public let sql: String
    public let parameterCount: Int

    public init(_ name: String, parameters: Int, _ sql: String) {
        self.name = name
        self.sql = sql
        self.parameterCount = parameters
    }
}

/// One step of a request, sent after the previous step's results arrived.
public enum PGStep: Sendable {
    /// A prepared statement with text parameters (`nil` = NULL).
    case prepared(PGStatement, [String?])
    /// One or more statements without parameters (`PQsendQuery`; DDL, `BEGIN`/`COMMIT`).
    case simple(String)
}
