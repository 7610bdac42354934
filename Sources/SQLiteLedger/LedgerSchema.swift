// The ledger's schema and its migrations, run at startup.

/// Schema versions live in `PRAGMA user_version`; `migrations[v]` takes a database from version v
/// to v + 1 inside one transaction, so a failed migration leaves the previous version intact.
enum LedgerSchema {
    /// `PRAGMA application_id` of a ThreadMeter ledger ("TMLG").
    static let applicationID: Int64 = 0x544D_4C47

    static let migrations: [String] = [
        // v1: one row per run, and thread evictions.
        """
        CREATE TABLE llm_calls (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL,
            thread_id TEXT NOT NULL,
            account TEXT,
            demand_stage TEXT,
            model TEXT,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            usage_source TEXT NOT NULL,
            status TEXT NOT NULL,
            cost_usd REAL,
            started_at REAL NOT NULL,
            finished_at REAL NOT NULL,
            streaming INTEGER NOT NULL
        );
        CREATE INDEX llm_calls_thread ON llm_calls(thread_id, finished_at);
        CREATE INDEX llm_calls_finished ON llm_calls(finished_at);
        CREATE TABLE thread_evictions (
            thread_id TEXT NOT NULL,
            evicted_at REAL NOT NULL
        );
        CREATE INDEX thread_evictions_thread ON thread_evictions(thread_id, evicted_at);
        PRAGMA application_id = \(applicationID);
        """,
        // v2: the Responses API's usage details, and the meter-clock time recovery compares with
        // eviction times (rows from v1 take their finish time).
        """
        ALTER TABLE llm_calls ADD COLUMN cached_input_tokens INTEGER;
        ALTER TABLE llm_calls ADD COLUMN reasoning_tokens INTEGER;
        ALTER TABLE llm_calls ADD COLUMN recorded_at REAL NOT NULL DEFAULT 0;
        UPDATE llm_calls SET recorded_at = finished_at;
        DROP INDEX llm_calls_thread;
        CREATE INDEX llm_calls_thread_recorded ON llm_calls(thread_id, recorded_at);
        CREATE INDEX llm_calls_recorded ON llm_calls(recorded_at);
        """,
        // Budgets (contract §9): one row per scope and key; their use is summed from llm_calls per
        // window (the account index serves account budgets, llm_calls_thread_recorded thread ones).
        """
        CREATE TABLE budgets (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            time_window TEXT NOT NULL,
            max_tokens INTEGER,
            max_usd REAL,
            warn_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (scope, key)
        );
        CREATE INDEX llm_calls_account_recorded ON llm_calls(account, recorded_at);
        """,
        // v4: the surface a run came through (`query`, `assistants`, `responses`; earlier rows are
        // `query`), and the run id index the drop-in surfaces' exactly-once check reads.
        """
        ALTER TABLE llm_calls ADD COLUMN surface TEXT NOT NULL DEFAULT 'query';
        CREATE INDEX llm_calls_run ON llm_calls(run_id);
        """,
        // v5: drop-in runs being watched until they are terminal (a restart resumes every row; a row
        // goes once its run is settled or given up).
        """
        CREATE TABLE watched_runs (
            run_id TEXT PRIMARY KEY,
            thread_id TEXT NOT NULL,
            surface TEXT NOT NULL,
            account TEXT,
            streaming INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            started_at REAL NOT NULL,
            cancel_first INTEGER NOT NULL
        );
        """,
    ]

    static var currentVersion: Int { migrations.count }

    /// Brings the database to `currentVersion`, refusing files that are not ledgers or are newer.
    /// Returns the version found before migrating.
    @discardableResult
    static func migrate(_ connection: SQLiteConnection) throws(SQLiteLedgerError) -> Int {
        let path = connection.path
        let found = Int(try connection.integer("PRAGMA user_version"))
        if found > currentVersion {
            throw SQLiteLedgerError(
                kind: .schemaTooNew, path: path,
                message: "schema version \(found) is newer than this build supports (\(currentVersion)); upgrade ThreadMeter"
            )
        }
        if found == 0 {
            let tables = try connection.integer("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            if tables > 0 {
                throw SQLiteLedgerError(kind: .notALedger, path: path, message: "is a SQLite database of another application (it has tables but no ThreadMeter schema version)")
            }
        } else {
            let id = try connection.integer("PRAGMA application_id")
            if id != applicationID {
                throw SQLiteLedgerError(kind: .notALedger, path: path, message: "is a SQLite database of another application (application_id \(id))")
            }
        }
        for version in found ..< currentVersion {
            do throws(SQLiteLedgerError) {
                try connection.execute("BEGIN IMMEDIATE")
                try connection.execute(migrations[version])
                try connection.execute("PRAGMA user_version = \(version + 1)")
                try connection.execute("COMMIT")
            } catch {
                var error = error
                if let rollbackFailure = connection.rollbackIfNeeded() { error.message += "; \(rollbackFailure)" }
                if error.kind == .readOnly || error.kind == .io || error.kind == .corrupt {
                    throw SQLiteLedgerError(kind: error.kind, path: path, code: error.code, message: "migrating the schema from version \(version) to \(version + 1): \(error.message)")
                }
                throw SQLiteLedgerError(kind: .migrationFailed, path: path, code: error.code, message: "migrating the schema from version \(version) to \(version + 1) failed: \(error.message)")
            }
        }
        return found
    }
}
