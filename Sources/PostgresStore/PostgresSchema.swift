// The shared store's schema and its migrations, applied under an advisory lock.

/// Schema versions are rows of `threadmeter_schema`; `migrations[v]` takes the database from version
/// v to v + 1 in one transaction. Replicas starting together serialise on a session advisory lock:
/// one migrates, the others wait, then find the schema current.
enum PostgresSchema {
    /// `pg_advisory_lock` key of migrations ("TMMIGR" as a number).
    static let migrationLockKey: Int64 = 0x544D_4D49_4752
    /// `pg_try_advisory_xact_lock` key of cluster-wide eviction ("TMEVICT").
    static let evictionLockKey: Int64 = 0x544D_4556_4943_54
    /// Rows of `usage_totals`: commits add to the row of their connection's slot, so concurrent
    /// commits do not queue on one row lock; `/stats` sums these few rows (never the threads).
    static let totalsSlots = 16

    static let migrations: [String] = [
        // v1: the run ledger (keyed by run id, so a retried write never counts twice), thread totals
        // kept by upserts, runs in flight as leases, evictions, and the global totals in a few rows.
        """
        CREATE TABLE llm_calls (
            run_id text PRIMARY KEY,
            thread_id text NOT NULL,
            account text,
            demand_stage text,
            model text,
            input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            cached_input_tokens bigint,
            reasoning_tokens bigint,
            usage_source text NOT NULL,
            status text NOT NULL,
            cost_usd double precision,
            started_at double precision NOT NULL,
            finished_at double precision NOT NULL,
            streaming boolean NOT NULL,
            recorded_at double precision NOT NULL,
            replica text
        );
        CREATE INDEX llm_calls_thread_recorded ON llm_calls (thread_id, recorded_at);
        CREATE INDEX llm_calls_finished ON llm_calls (finished_at);
        CREATE TABLE threads (
            thread_id text PRIMARY KEY,
            input_tokens bigint NOT NULL DEFAULT 0,
            output_tokens bigint NOT NULL DEFAULT 0,
            total_tokens bigint NOT NULL DEFAULT 0,
            runs bigint NOT NULL DEFAULT 0,
            cost_usd double precision,
            account text,
            last_activity double precision NOT NULL
        );
        CREATE INDEX threads_rank ON threads (total_tokens DESC, thread_id);
        CREATE INDEX threads_idle ON threads (last_activity);
        CREATE TABLE run_leases (
            lease_id text PRIMARY KEY,
            thread_id text NOT NULL,
            replica_id text NOT NULL,
            expires_at timestamptz NOT NULL
        );
        CREATE INDEX run_leases_thread ON run_leases (thread_id, expires_at);
        CREATE INDEX run_leases_replica ON run_leases (replica_id);
        CREATE TABLE thread_evictions (
            thread_id text NOT NULL,
            evicted_at double precision NOT NULL
        );
        CREATE INDEX thread_evictions_thread ON thread_evictions (thread_id, evicted_at);
        CREATE TABLE usage_totals (
            slot smallint PRIMARY KEY,
            threads bigint NOT NULL DEFAULT 0,
            input_tokens bigint NOT NULL DEFAULT 0,
            output_tokens bigint NOT NULL DEFAULT 0,
            cost_usd double precision NOT NULL DEFAULT 0
        );
        INSERT INTO usage_totals (slot) SELECT generate_series(0, \(totalsSlots - 1));
        """,
        // Budgets (contract §9): one row per scope and key; their use is summed from llm_calls per
        // window on `recorded_at` (the database's clock), by thread, account or over everything.
        """
        CREATE TABLE budgets (
            scope text NOT NULL,
            key text NOT NULL,
            time_window text NOT NULL,
            max_tokens bigint,
            max_usd double precision,
            warn_at double precision NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (scope, key)
        );
        CREATE INDEX llm_calls_account_recorded ON llm_calls (account, recorded_at);
        CREATE INDEX llm_calls_recorded ON llm_calls (recorded_at);
        -- What the global and account budgets check, per UTC day of recorded_at: kept by a trigger in
        -- the transaction that inserts the ledger row (so exactly the ledger's sums), spread over
        -- \(totalsSlots) slots so concurrent commits rarely wait on one row.
        CREATE TABLE budget_use_daily (
            kind text NOT NULL,
            key text NOT NULL,
            day integer NOT NULL,
            slot smallint NOT NULL,
            tokens bigint NOT NULL DEFAULT 0,
            usd double precision NOT NULL DEFAULT 0,
            unpriced bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (kind, key, day, slot)
        );
        CREATE FUNCTION tm_budget_use_add() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            d integer := floor(NEW.recorded_at / 86400);
            s smallint := pg_backend_pid() % \(totalsSlots);
            t bigint := NEW.input_tokens + NEW.output_tokens;
            c double precision := coalesce(NEW.cost_usd, 0);
            u bigint := CASE WHEN NEW.cost_usd IS NULL THEN 1 ELSE 0 END;
        BEGIN
            IF NEW.status = 'completed' OR t > 0 THEN
                INSERT INTO budget_use_daily AS b (kind, key, day, slot, tokens, usd, unpriced) VALUES ('all', '', d, s, t, c, u)
                ON CONFLICT (kind, key, day, slot) DO UPDATE
                    SET tokens = b.tokens + excluded.tokens, usd = b.usd + excluded.usd, unpriced = b.unpriced + excluded.unpriced;
                IF NEW.account IS NOT NULL THEN
                    INSERT INTO budget_use_daily AS b (kind, key, day, slot, tokens, usd, unpriced) VALUES ('account', NEW.account, d, s, t, c, u)
                    ON CONFLICT (kind, key, day, slot) DO UPDATE
                        SET tokens = b.tokens + excluded.tokens, usd = b.usd + excluded.usd, unpriced = b.unpriced + excluded.unpriced;
                END IF;
            END IF;
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER llm_calls_budget_use AFTER INSERT ON llm_calls FOR EACH ROW EXECUTE FUNCTION tm_budget_use_add();
        INSERT INTO budget_use_daily (kind, key, day, slot, tokens, usd, unpriced)
        SELECT 'all', '', floor(recorded_at / 86400)::integer, 0, sum(input_tokens + output_tokens), coalesce(sum(cost_usd), 0), count(*) - count(cost_usd)
        FROM llm_calls WHERE status = 'completed' OR input_tokens + output_tokens > 0 GROUP BY 3
        UNION ALL
        SELECT 'account', account, floor(recorded_at / 86400)::integer, 0, sum(input_tokens + output_tokens), coalesce(sum(cost_usd), 0), count(*) - count(cost_usd)
        FROM llm_calls WHERE account IS NOT NULL AND (status = 'completed' OR input_tokens + output_tokens > 0) GROUP BY 2, 3;
        """,
        // v3: the surface a run came through (`query`, `assistants`, `responses`; earlier rows are `query`).
        """
        ALTER TABLE llm_calls ADD COLUMN surface text NOT NULL DEFAULT 'query';
        """,
        // v4: drop-in runs being watched until they are terminal, shared by the replicas (a starting
        // replica resumes every row; the ledger's run id key keeps a run resumed twice counted once).
        """
        CREATE TABLE watched_runs (
            run_id text PRIMARY KEY,
            thread_id text NOT NULL,
            surface text NOT NULL,
            account text,
            streaming boolean NOT NULL,
            request_id text NOT NULL,
            started_at double precision NOT NULL,
            cancel_first boolean NOT NULL,
            replica text
        );
        """,
    ]

    static var currentVersion: Int { migrations.count }

    static let versionTable = """
        CREATE TABLE IF NOT EXISTS threadmeter_schema (
            version integer PRIMARY KEY,
            migrated_at timestamptz NOT NULL DEFAULT now()
        )
        """

    /// Brings the database to `currentVersion` under the migration lock. Returns the version found.
    /// - Throws: `.schemaTooNew` for a newer schema, `.notOurSchema` for a database whose `threads` or
    ///   `llm_calls` tables were not made by ThreadMeter, and connectivity errors.
    @discardableResult
    static func migrate(_ pool: PostgresPool, timeout: Duration = .seconds(120)) async throws(PostgresError) -> Int {
        try await pool.withSession(timeout: timeout) { session throws(PostgresError) -> Int in
            // Waits here while another replica migrates.
            try await session.simple("SELECT pg_advisory_lock(\(migrationLockKey))", timeout: timeout)
            do throws(PostgresError) {
                let found = try await migrateLocked(session, timeout: timeout)
                try await session.simple("SELECT pg_advisory_unlock(\(migrationLockKey))")
                return found
            } catch {
                _ = try? await session.simple("SELECT pg_advisory_unlock(\(migrationLockKey))")
                throw error
            }
        }
    }

    private static func migrateLocked(_ session: PGSession, timeout: Duration) async throws(PostgresError) -> Int {
        let existing = try await session.simple("""
            SELECT count(*) FILTER (WHERE table_name = 'threadmeter_schema'),
                   count(*) FILTER (WHERE table_name IN ('llm_calls', 'threads', 'usage_totals'))
            FROM information_schema.tables WHERE table_schema = current_schema()
            """)
        let hasVersionTable = (existing.first?.int(0) ?? 0) > 0
        let hasOurTables = (existing.first?.int(1) ?? 0) > 0
        if !hasVersionTable && hasOurTables {
            throw PostgresError(.notOurSchema, "the database has llm_calls/threads tables but no threadmeter_schema table: not a ThreadMeter database (use another database or schema)")
        }
        try await session.simple(versionTable)
        let found = try await session.simple("SELECT coalesce(max(version), 0) FROM threadmeter_schema").first?.int(0) ?? 0
        if found > currentVersion {
            throw PostgresError(.schemaTooNew, "the database schema is version \(found), newer than this build supports (\(currentVersion)); upgrade ThreadMeter")
        }
        for version in found..<currentVersion {
            do throws(PostgresError) {
                _ = try await session.execute([
                    .simple("BEGIN"),
                    .simple(migrations[version]),
                    .simple("INSERT INTO threadmeter_schema (version) VALUES (\(version + 1))"),
                    .simple("COMMIT"),
                ], timeout: timeout)
            } catch {
                _ = try? await session.simple("ROLLBACK")
                throw PostgresError(error.kind, "migrating the schema from version \(version) to \(version + 1): \(error.message)", sqlState: error.sqlState)
            }
        }
        return found
    }
}
