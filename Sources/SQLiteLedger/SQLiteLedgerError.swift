// Errors of the SQLite ledger, each a single line an operator can act on.
import CSQLite

/// Why the SQLite ledger could not open its database or complete a write.
public struct SQLiteLedgerError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The path cannot be opened or created (missing directory, permissions, a directory).
        case cannotOpen
        /// The file exists but is not a SQLite database.
        case notADatabase
        /// The database is damaged.
        case corrupt
        /// A SQLite database, but not a ThreadMeter ledger.
        case notALedger
        /// Written by a newer ThreadMeter: its schema version is unknown to this build.
        case schemaTooNew
        /// A schema migration failed (the database is left at the previous version).
        case migrationFailed
        /// The database or its directory cannot be written.
        case readOnly
        /// An I/O error or a full disk while running.
        case io
        /// The ledger was closed.
        case closed
        /// Any other SQLite failure.
        case other
    }

    public var kind: Kind
    /// The database path.
    public var path: String
    /// SQLite's extended result code (0 when the failure did not come from SQLite).
    public var code: Int32
    public var message: String

    public init(kind: Kind, path: String, code: Int32 = 0, message: String) {
        self.kind = kind
        self.path = path
        self.code = code
        self.message = message
    }

    public var description: String { "usage database \(path): \(message)" }

    /// The kind implied by a SQLite result code.
    static func kind(forCode code: Int32) -> Kind {
        switch code & 0xFF {
        case SQLITE_CANTOPEN: .cannotOpen
        case SQLITE_NOTADB: .notADatabase
        case SQLITE_CORRUPT: .corrupt
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH: .readOnly
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_NOMEM, SQLITE_BUSY, SQLITE_LOCKED: .io
        default: .other
        }
    }

    /// Whether the failure is about the storage as a whole (every row would fail), rather than
    /// about one row.
    var isStorageWide: Bool {
        kind != .other
    }
}
