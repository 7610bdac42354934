// The durable usage ledger on SQLite.
import CSQLite
import Dispatch
import Metering
import Synchronization
import Telemetry

/// A `UsageLedger` in a SQLite database (WAL mode, `synchronous=FULL`).
///
/// Writes run on a dedicated serial queue with their own connection and are group-committed: runs
/// finishing while a commit is in flight share the next transaction and its fsync. Reads (recovery,
/// history) use a second, read-only connection on another queue, so a long history query never
/// delays a commit. Nothing here blocks the Swift concurrency pool.
///
/// Failures: `init` throws `SQLiteLedgerError` for an unusable path or file (missing directory,
/// not writable, not SQLite, damaged, another application's database, newer schema). While running, a
/// failed commit is rolled back, the callers get the error, and `isHealthy` is false until a commit
/// succeeds again; the caller (`UsageMeter`) keeps and retries the rows.
public final class SQLiteLedger: UsageLedger {
    /// The database path.
    public let path: String
    private let options: Options
    private let logger: Logger
    let writer: SQLiteConnection
    private let reader: SQLiteConnection
    let writeQueue: DispatchQueue
    private let readQueue: DispatchQueue
    private let counters: LedgerCounters
    private let committer: GroupCommitter
    /// Budget sums per window, extended by appended rows (`SQLiteLedger+Budgets`).
    let budgetSums = BudgetSumCache()
    /// The budget rows (`SQLiteLedger+Budgets`), replaced after each budget write.
    let budgetRows = BudgetRowCache()

    /// The linked SQLite library's version.
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }

    /// Schema version this build writes.
    public static var schemaVersion: Int { LedgerSchema.currentVersion }

    /// Opens (creating if needed) and migrates the ledger at `path`.
    /// - Throws: `SQLiteLedgerError` with a one-line reason when the database cannot be used.
    public init(path: String, logger: Logger, options: Options = Options()) throws(SQLiteLedgerError) {
        self.path = path
        self.options = options
        self.logger = logger
        let writer = try SQLiteConnection(path: path, readOnly: false, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        let foundVersion = try Self.prepareWriter(writer, options: options)
        let reader = try SQLiteConnection(path: path, readOnly: true, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        try reader.execute("PRAGMA query_only = ON")
        self.writer = writer
        self.reader = reader
        writeQueue = DispatchQueue(label: "threadmeter.ledger.write", qos: .userInitiated)
        readQueue = DispatchQueue(label: "threadmeter.ledger.read", qos: .utility)
        let counters = LedgerCounters()
        self.counters = counters
        let beforeCommit = options.beforeCommit
        let commitBatch: GroupCommitter.Commit = { writes throws(SQLiteLedgerError) in
            do throws(SQLiteLedgerError) {
                try Self.commit(writes, on: writer, beforeCommit: beforeCommit)
                counters.transactions.add(1, ordering: .relaxed)
                counters.rows.add(writes.reduce(0) { $0 + $1.rowCount }, ordering: .relaxed)
                if !counters.healthy.exchange(true, ordering: .relaxed) {
                    logger.notice("usage database writable again", [("path", writer.path)])
                }
            } catch {
                counters.failedTransactions.add(1, ordering: .relaxed)
                if counters.healthy.exchange(false, ordering: .relaxed) {
                    logger.error("usage database write failed", [("path", writer.path), ("error", error.message)])
                }
                throw error
            }
        }
        committer = GroupCommitter(queue: writeQueue, maxBatchRows: options.maxBatchRows, commit: commitBatch)
        logger.info("usage database open", [
            ("path", path), ("schema_version", "\(LedgerSchema.currentVersion)"), ("migrated_from", "\(foundVersion)"),
            ("synchronous", options.synchronous.rawValue),
        ])
    }

    /// Pragmas, integrity check, migrations and a writability check. Returns the version found.
    private static func prepareWriter(_ db: SQLiteConnection, options: Options) throws(SQLiteLedgerError) -> Int {
        // The first statement reads the header: a file that is not SQLite fails here.
        let mode: String
        do throws(SQLiteLedgerError) {
            mode = try db.texts("PRAGMA journal_mode = WAL").first ?? ""
        } catch {
            throw describeOpenFailure(error, path: db.path)
        }
        if mode.lowercased() != "wal" {
            throw SQLiteLedgerError(kind: .readOnly, path: db.path, message: "cannot switch to WAL journal mode (got \"\(mode)\"); is the file or its directory read-only?")
        }
        try db.execute("PRAGMA synchronous = \(options.synchronous.rawValue)")
        if options.integrityCheckOnOpen {
            let problems: [String]
            do throws(SQLiteLedgerError) {
                problems = try db.texts("PRAGMA quick_check")
            } catch {
                throw describeOpenFailure(error, path: db.path)
            }
            if problems != ["ok"] {
                throw SQLiteLedgerError(kind: .corrupt, path: db.path, code: SQLITE_CORRUPT, message: "is damaged (integrity check: \(problems.prefix(3).joined(separator: "; ")))")
            }
        }
        let found = try LedgerSchema.migrate(db)
        if db.isReadOnly {
            throw SQLiteLedgerError(kind: .readOnly, path: db.path, code: SQLITE_READONLY, message: "is not writable (opened read-only)")
        }
        // Take the write lock once: fails now, not on the first run, if writing is impossible.
        do throws(SQLiteLedgerError) {
            try db.execute("BEGIN IMMEDIATE")
            try db.execute("COMMIT")
        } catch {
            var error = error
            if let rollbackFailure = db.rollbackIfNeeded() { error.message += "; \(rollbackFailure)" }
            throw SQLiteLedgerError(kind: .readOnly, path: db.path, code: error.code, message: "is not writable: \(error.message)")
        }
        return found
    }

    private static func describeOpenFailure(_ error: SQLiteLedgerError, path: String) -> SQLiteLedgerError {
        switch error.kind {
        case .notADatabase:
            SQLiteLedgerError(kind: .notADatabase, path: path, code: error.code, message: "is not a SQLite database (\(error.message))")
        case .corrupt:
            SQLiteLedgerError(kind: .corrupt, path: path, code: error.code, message: "is damaged (\(error.message))")
        case .cannotOpen, .readOnly:
            SQLiteLedgerError(kind: .readOnly, path: path, code: error.code, message: "cannot be opened for writing; is the file or its directory read-only? (\(error.message))")
        default:
            error
        }
    }

    /// Finishes pending writes and closes both connections. Later calls throw `.closed`.
    public func close() {
        guard !counters.closed.exchange(true, ordering: .relaxed) else { return }
        writeQueue.sync { writer.close() }
        readQueue.sync { reader.close() }
    }

    // MARK: UsageLedger

    public var isHealthy: Bool { counters.healthy.load(ordering: .relaxed) }

    /// Counters since open.
    public var statistics: Statistics {
        Statistics(
            transactions: counters.transactions.load(ordering: .relaxed), rows: counters.rows.load(ordering: .relaxed),
            failedTransactions: counters.failedTransactions.load(ordering: .relaxed)
        )
    }

    /// Writes waiting for the next group commit (not counting the one in flight).
    public var queuedWrites: Int { committer.waitingCount }

    public func append(_ record: RunRecord) async throws {
        try await committer.submit(.runs([record]))
    }

    public func append(contentsOf records: [RunRecord]) async throws {
        guard !records.isEmpty else { return }
        try await committer.submit(.runs(records))
    }

    public func recordEviction(threadIds: [String], at: Double) async throws {
        var start = 0
        while start < threadIds.count {
            let end = min(threadIds.count, start + max(1, options.evictionChunk))
            try await committer.submit(.eviction(threadIds: Array(threadIds[start..<end]), at: at))
            start = end
        }
    }

    public func loadThreads(activeSince: Double) async throws -> [ThreadUsageSnapshot] {
        try await read { db throws(SQLiteLedgerError) in try LedgerQueries.threads(db, activeSince: activeSince) }
    }

    public func containsRun(runId: String) async throws -> Bool {
        try await read { db throws(SQLiteLedgerError) in
            let statement = try db.statement(LedgerQueries.containsRunSQL)
            // Reset at once: a stepped statement keeps its read transaction (an old snapshot) open.
            defer { statement.reset() }
            try statement.bind(1, runId)
            return try statement.step() && statement.int(0) > 0
        }
    }

    public func usageHistory(since: Double?, until: Double?, groupBy: UsageGrouping) async throws -> [UsageBucket] {
        try await read { db throws(SQLiteLedgerError) in try LedgerQueries.history(db, since: since, until: until, groupBy: groupBy) }
    }

    // MARK: Internals

    /// Runs `body` with the read connection on the read queue.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(SQLiteLedgerError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            readQueue.async { @Sendable [reader] in
                do {
                    continuation.resume(returning: try body(reader))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// One transaction for a batch of writes. Runs on the write queue.
    private static func commit(_ writes: [LedgerWrite], on db: SQLiteConnection, beforeCommit: (@Sendable (Int) -> SQLiteLedgerError?)?) throws(SQLiteLedgerError) {
        do throws(SQLiteLedgerError) {
            try db.run("BEGIN IMMEDIATE")
            let insertRun = try db.statement(LedgerQueries.insertRun)
            let insertEviction = try db.statement(LedgerQueries.insertEviction)
            var rows = 0
            for write in writes {
                switch write {
                case .runs(let records):
                    for record in records {
                        try LedgerQueries.bind(record, to: insertRun)
                        try insertRun.run()
                    }
                case .eviction(let ids, let at):
                    for id in ids {
                        insertEviction.reset()
                        try insertEviction.bind(1, id)
                        try insertEviction.bind(2, at)
                        try insertEviction.run()
                    }
                }
                rows += write.rowCount
            }
            if let injected = beforeCommit?(rows) { throw injected }
            try db.run("COMMIT")
        } catch {
            var error = error
            if let rollbackFailure = db.rollbackIfNeeded() { error.message += "; \(rollbackFailure)" }
            throw error
        }
    }
}

/// Health and counters shared between the ledger and its commit closure.
private final class LedgerCounters: Sendable {
    let healthy = Atomic<Bool>(true)
    let closed = Atomic<Bool>(false)
    let transactions = Atomic<Int>(0)
    let rows = Atomic<Int>(0)
    let failedTransactions = Atomic<Int>(0)
}
