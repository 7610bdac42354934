// A prepared statement: binding, stepping, reading columns.
import CSQLite

/// A prepared statement of a `SQLiteConnection`, used on that connection's queue only.
final class SQLiteStatement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    /// SQLite copies bound text immediately (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    deinit { sqlite3_finalize(raw) }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    func bind(_ index: Int32, _ value: String?) throws(SQLiteLedgerError) {
        let rc: Int32
        if let value {
            rc = sqlite3_bind_text(raw, index, value, -1, Self.transient)
        } else {
            rc = sqlite3_bind_null(raw, index)
        }
        try check(rc, "binding parameter \(index)")
    }

    func bind(_ index: Int32, _ value: Int?) throws(SQLiteLedgerError) {
        let rc = value.map { sqlite3_bind_int64(raw, index, Int64($0)) } ?? sqlite3_bind_null(raw, index)
        try check(rc, "binding parameter \(index)")
    }

    func bind(_ index: Int32, _ value: Double?) throws(SQLiteLedgerError) {
        let rc = value.map { sqlite3_bind_double(raw, index, $0) } ?? sqlite3_bind_null(raw, index)
        try check(rc, "binding parameter \(index)")
    }

    /// Advances; true when a row is available, false when done.
    func step() throws(SQLiteLedgerError) -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, while: "executing \(sqlText)")
        }
    }

    /// Steps once and resets; the result code (the caller words the failure).
    func stepAndReset() -> Int32 {
        let rc = sqlite3_step(raw)
        sqlite3_reset(raw)
        return rc
    }

    /// Runs a statement that returns no rows.
    func run() throws(SQLiteLedgerError) {
        _ = try step()
        sqlite3_reset(raw)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(raw, column)) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(raw, column) }
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(raw, column) else { return nil }
        return String(cString: bytes)
    }

    private var sqlText: String {
        guard let sql = sqlite3_sql(raw) else { return "statement" }
        return String(String(cString: sql).prefix(40))
    }

    private func check(_ rc: Int32, _ doing: String) throws(SQLiteLedgerError) {
        if rc != SQLITE_OK { throw connection.error(rc, while: doing) }
    }
}
