// Tunables of the SQLite ledger, with their defaults in one place.

extension SQLiteLedger {
    /// How the ledger opens and writes its database.
    public struct Options: Sendable {
        /// `PRAGMA synchronous`. `FULL` (default) fsyncs the WAL on every commit, so a committed run
        /// survives power loss, not just a process crash; usage is money. `NORMAL` would only survive
        /// a crash of the process.
        public var synchronous: Synchronous = .full
        /// How long a write waits for a lock held by another process (e.g. an operator's `sqlite3`).
        public var busyTimeoutMilliseconds: Int32 = 5_000
        /// Rows per transaction at most. 1 disables group commit (one commit per run; for benchmarks).
        public var maxBatchRows: Int = 4_096
        /// Thread ids per eviction transaction; a large sweep is written in several transactions so
        /// runs finishing meanwhile are not held up behind it.
        public var evictionChunk: Int = 5_000
        /// Run `PRAGMA quick_check` when opening (detects a damaged file at startup; reads the whole file).
        public var integrityCheckOnOpen: Bool = true
        /// Testing hook: called inside each write transaction just before `COMMIT` with the number of
        /// rows in it. Returning an error fails the commit with it (rolled back), as an I/O error would;
        /// blocking delays the commit (on the ledger's own queue).
        public var beforeCommit: (@Sendable (_ rows: Int) -> SQLiteLedgerError?)?

        public enum Synchronous: String, Sendable {
            case full = "FULL"
            case normal = "NORMAL"
        }

        public init() {}
    }

    /// Counters since the ledger was opened.
    public struct Statistics: Sendable, Equatable {
        /// Write transactions committed.
        public var transactions: Int
        /// Rows (runs and eviction entries) committed.
        public var rows: Int
        /// Write transactions that failed.
        public var failedTransactions: Int
    }
}
