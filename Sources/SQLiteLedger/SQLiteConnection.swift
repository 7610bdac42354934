// A thin owner of one sqlite3 handle with a statement cache.
import CSQLite
import Foundation

/// One SQLite connection.
///
/// Not thread-safe by itself: the ledger confines each connection to its own serial
/// `DispatchQueue`, which is why it is `@unchecked Sendable` (it is handed to closures running on
/// that queue and never used elsewhere).
final class SQLiteConnection: @unchecked Sendable {
    let path: String
    private var db: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (and with `create`, creates) the database at `path`.
    init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int32) throws(SQLiteLedgerError) {
        self.path = path
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { Self.describe(rc, $0) } ?? "sqlite3_open_v2 failed with code \(rc)"
            sqlite3_close_v2(handle)
            throw SQLiteLedgerError(kind: .cannotOpen, path: path, code: rc, message: "cannot open: \(message)")
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    deinit { close() }

    func close() {
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    /// Whether the main database was opened read-only (a write-protected file opens read-only).
    var isReadOnly: Bool {
        guard let db else { return true }
        return sqlite3_db_readonly(db, "main") == 1
    }

    /// Whether a transaction is open.
    var inTransaction: Bool {
        guard let db else { return false }
        return sqlite3_get_autocommit(db) == 0
    }

    /// Rolls back an open transaction. Returns why the rollback failed, if it did (the caller adds
    /// it to the error it is already reporting).
    func rollbackIfNeeded() -> String? {
        guard inTransaction else { return nil }
        do throws(SQLiteLedgerError) {
            try execute("ROLLBACK")
            return nil
        } catch {
            return "rollback also failed: \(error.message)"
        }
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws(SQLiteLedgerError) {
        let db = try handle()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if let errorMessage { sqlite3_free(errorMessage) }
        if rc != SQLITE_OK { throw error(rc, while: firstWords(sql)) }
    }

    /// Runs one statement without parameters or rows (`BEGIN IMMEDIATE`, `COMMIT`) from a cached
    /// prepared statement: per write transaction, `sqlite3_exec` would parse it again each time.
    /// Fails as `execute` does.
    func run(_ sql: String) throws(SQLiteLedgerError) {
        let rc = try statement(sql).stepAndReset()
        if rc != SQLITE_DONE && rc != SQLITE_ROW { throw error(rc, while: firstWords(sql)) }
    }

    /// A prepared statement, cached by its SQL text.
    func statement(_ sql: String) throws(SQLiteLedgerError) -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        let db = try handle()
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc, while: "preparing \(firstWords(sql))") }
        let statement = SQLiteStatement(raw, connection: self)
        statements[sql] = statement
        return statement
    }

    /// The single integer a pragma or query returns.
    func integer(_ sql: String) throws(SQLiteLedgerError) -> Int64 {
        let statement = try statement(sql)
        defer { statement.reset() }
        guard try statement.step() else { throw error(SQLITE_ERROR, while: "\(sql) returned no row") }
        return statement.int64(0)
    }

    /// Every text value of the first column a query returns.
    func texts(_ sql: String) throws(SQLiteLedgerError) -> [String] {
        let statement = try statement(sql)
        defer { statement.reset() }
        var values: [String] = []
        while try statement.step() { values.append(statement.text(0) ?? "") }
        return values
    }

    /// An error for result code `rc` with SQLite's message and, for I/O failures, the OS error.
    func error(_ rc: Int32, while doing: String) -> SQLiteLedgerError {
        let message = db.map { Self.describe(rc, $0) } ?? String(cString: sqlite3_errstr(rc))
        return SQLiteLedgerError(kind: SQLiteLedgerError.kind(forCode: rc), path: path, code: rc, message: "\(doing): \(message)")
    }

    private func handle() throws(SQLiteLedgerError) -> OpaquePointer {
        guard let db else { throw SQLiteLedgerError(kind: .closed, path: path, message: "the ledger is closed") }
        return db
    }

    private static func describe(_ rc: Int32, _ db: OpaquePointer) -> String {
        var text = String(cString: sqlite3_errmsg(db))
        let generic = String(cString: sqlite3_errstr(rc))
        if text != generic, !text.contains(generic) { text += " (\(generic))" }
        let osError = sqlite3_system_errno(db)
        if osError != 0 { text += ": \(String(cString: strerror(osError)))" }
        return text
    }

    private func firstWords(_ sql: String) -> String {
        let firstLine = sql.split(separator: "\n").first.map(String.init) ?? sql
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 48 ? String(trimmed.prefix(48)) + "…" : trimmed
    }
}
