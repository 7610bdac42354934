// The shared store's statements: each a single round trip, prepared once per connection.
import Metering

/// SQL of the shared store. Every write is one statement (a data-modifying CTE), so it is atomic in
/// autocommit and costs one round trip. Times come from the database's clock (`now()`), so every
/// replica compares activity and lease times on the same clock.
enum PostgresQueries {
    static let epochNow = "extract(epoch FROM now())::float8"
    static let threadColumns = "input_tokens, output_tokens, runs, cost_usd, account, last_activity"

    /// $1 thread, $2 account, $3 lease id, $4 replica, $5 lease seconds, $6 totals slot.
    /// Tracks the thread (at zero if new), takes a lease, returns the totals before the run.
    static let beginRun = PGStatement("tm_begin_run", parameters: 6, """
        WITH t AS (
            INSERT INTO threads AS t (thread_id, account, last_activity)
            VALUES ($1::text, $2::text, \(epochNow))
            ON CONFLICT (thread_id) DO UPDATE
                SET last_activity = greatest(t.last_activity, excluded.last_activity),
                    account = coalesce(excluded.account, t.account)
            RETURNING t.input_tokens, t.output_tokens, t.runs, t.cost_usd, t.account, t.last_activity, (t.xmax = 0) AS created
        ), lease AS (
            INSERT INTO run_leases (lease_id, thread_id, replica_id, expires_at)
            VALUES ($3::text, $1::text, $4::text, now() + make_interval(secs => $5::float8))
            ON CONFLICT (lease_id) DO UPDATE SET expires_at = excluded.expires_at
        ), counted AS (
            UPDATE usage_totals SET threads = threads + 1
            WHERE slot = $6::smallint AND (SELECT created FROM t)
        )
        SELECT \(threadColumns) FROM t
        """)

    /// $1 run id, $2 thread, $3 account, $4 demand stage, $5 model, $6 input, $7 output, $8 cached,
    /// $9 reasoning, $10 usage source, $11 status, $12 cost, $13 started, $14 finished, $15 streaming,
    /// $16 replica, $17 counts as a run, $18 lease id, $19 totals slot, $20 surface.
    ///
    /// Stores the run keyed by its id and, only if the row is new, adds it to the thread and the
    /// global totals; ends the lease. Returns whether the row was new and the thread's totals after.
    /// A retried write finds the row and changes nothing: a run never counts twice.
    static let finishRun = PGStatement("tm_finish_run", parameters: 20, """
        WITH ins AS (
            INSERT INTO llm_calls (run_id, thread_id, account, demand_stage, model, input_tokens, output_tokens,
                cached_input_tokens, reasoning_tokens, usage_source, status, cost_usd, started_at, finished_at,
                streaming, recorded_at, replica, surface)
            VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::bigint, $8::bigint, $9::bigint,
                $10::text, $11::text, $12::float8, $13::float8, $14::float8, $15::boolean, \(epochNow), $16::text, $20::text)
            ON CONFLICT (run_id) DO NOTHING
            RETURNING recorded_at
        ), lease AS (
            DELETE FROM run_leases WHERE lease_id = $18::text
        ), upd AS (
            INSERT INTO threads AS t (thread_id, input_tokens, output_tokens, total_tokens, runs, cost_usd, account, last_activity)
            SELECT $2::text, $6::bigint, $7::bigint, $6::bigint + $7::bigint, 1, $12::float8, $3::text, recorded_at
            FROM ins WHERE $17::boolean
            ON CONFLICT (thread_id) DO UPDATE SET
                input_tokens = t.input_tokens + excluded.input_tokens,
                output_tokens = t.output_tokens + excluded.output_tokens,
                total_tokens = t.total_tokens + excluded.total_tokens,
                runs = t.runs + 1,
                cost_usd = CASE WHEN excluded.cost_usd IS NULL THEN t.cost_usd ELSE coalesce(t.cost_usd, 0) + excluded.cost_usd END,
                account = coalesce(excluded.account, t.account),
                last_activity = greatest(t.last_activity, excluded.last_activity)
            RETURNING t.input_tokens, t.output_tokens, t.runs, t.cost_usd, t.account, t.last_activity, (t.xmax = 0) AS created
        ), counted AS (
            UPDATE usage_totals SET
                input_tokens = input_tokens + $6::bigint,
                output_tokens = output_tokens + $7::bigint,
                cost_usd = cost_usd + coalesce($12::float8, 0),
                threads = threads + (SELECT count(*) FROM upd WHERE created)
            WHERE slot = $19::smallint AND EXISTS (SELECT 1 FROM upd)
        )
        SELECT true, \(threadColumns) FROM upd
        UNION ALL
        SELECT EXISTS (SELECT 1 FROM ins), \(threadColumns) FROM threads
        WHERE thread_id = $2::text AND NOT EXISTS (SELECT 1 FROM upd)
        """)

    /// $1 run id: whether the ledger holds the run (the drop-in surfaces' exactly-once check).
    static let containsRun = PGStatement("tm_contains_run", parameters: 1, """
        SELECT EXISTS (SELECT 1 FROM llm_calls WHERE run_id = $1::text)
        """)

    /// $1 lease id, $2 thread: a run ended without usage; the lease goes, the thread is touched.
    static let abortRun = PGStatement("tm_abort_run", parameters: 2, """
        WITH lease AS (DELETE FROM run_leases WHERE lease_id = $1::text)
        UPDATE threads SET last_activity = greatest(last_activity, \(epochNow)) WHERE thread_id = $2::text
        """)

    /// $1 replica, $2 lease seconds: keeps this replica's runs in flight alive.
    static let renewLeases = PGStatement("tm_renew_leases", parameters: 2, """
        UPDATE run_leases SET expires_at = now() + make_interval(secs => $2::float8) WHERE replica_id = $1::text
        """)

    /// $1 thread.
    static let snapshot = PGStatement("tm_snapshot", parameters: 1, """
        SELECT \(threadColumns) FROM threads WHERE thread_id = $1::text
        """)

    /// The global totals: a sum over the few `usage_totals` rows, never over the threads.
    static let totals = PGStatement("tm_totals", parameters: 0, """
        SELECT coalesce(sum(threads), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0)
        FROM usage_totals
        """)

    /// $1 limit: the busiest threads (the `threads_rank` index).
    static let top = PGStatement("tm_top", parameters: 1, """
        SELECT thread_id, \(threadColumns) FROM threads ORDER BY total_tokens DESC, thread_id LIMIT $1::bigint
        """)

    /// $1 max age seconds, $2 batch size. Evicts idle threads without a live lease, for the whole
    /// cluster, only if this replica gets the eviction lock (else nothing happens: another replica is
    /// evicting). Lapsed leases of dead replicas are cleared on the way.
    static let evict = PGStatement("tm_evict", parameters: 2, """
        WITH lock AS MATERIALIZED (
            SELECT pg_try_advisory_xact_lock(\(PostgresSchema.evictionLockKey)) AS got
        ), victims AS (
            SELECT t.thread_id FROM threads t
            WHERE (SELECT got FROM lock)
              AND t.last_activity < \(epochNow) - $1::float8
              AND NOT EXISTS (SELECT 1 FROM run_leases l WHERE l.thread_id = t.thread_id AND l.expires_at > now())
            ORDER BY t.last_activity
            LIMIT $2::bigint
            FOR UPDATE OF t SKIP LOCKED
        ), gone AS (
            DELETE FROM threads t USING victims v
            WHERE t.thread_id = v.thread_id AND t.last_activity < \(epochNow) - $1::float8
            RETURNING t.thread_id, t.input_tokens, t.output_tokens, coalesce(t.cost_usd, 0) AS cost
        ), logged AS (
            INSERT INTO thread_evictions (thread_id, evicted_at) SELECT thread_id, \(epochNow) FROM gone
        ), stale AS (
            DELETE FROM run_leases WHERE (SELECT got FROM lock) AND expires_at < now() - interval '10 minutes'
        ), counted AS (
            UPDATE usage_totals SET
                threads = threads - (SELECT count(*) FROM gone),
                input_tokens = input_tokens - (SELECT coalesce(sum(input_tokens), 0) FROM gone),
                output_tokens = output_tokens - (SELECT coalesce(sum(output_tokens), 0) FROM gone),
                cost_usd = cost_usd - (SELECT coalesce(sum(cost), 0) FROM gone)
            WHERE slot = 0 AND EXISTS (SELECT 1 FROM gone)
        )
        SELECT thread_id FROM gone
        """)

    /// $1 since, $2 until.
    static func history(_ groupBy: UsageGrouping) -> PGStatement {
        let key = switch groupBy {
        case .account: "coalesce(account, '')"
        case .model: "coalesce(model, '')"
        case .day: "to_char(to_timestamp(floor(finished_at)) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        }
        return PGStatement("tm_history_\(groupBy.rawValue)", parameters: 2, """
            SELECT \(key) AS k, count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
                coalesce(sum(cost_usd), 0), count(*) - count(cost_usd)
            FROM llm_calls
            WHERE finished_at >= $1::float8 AND finished_at < $2::float8
            GROUP BY k
            ORDER BY k
            """)
    }

    /// $1..$17 as `finishRun` without lease and slot, $16 = recorded_at: copies a ledger row as is
    /// (migration from SQLite); an existing run id is left alone.
    static let importRun = PGStatement("tm_import_run", parameters: 17, """
        INSERT INTO llm_calls (run_id, thread_id, account, demand_stage, model, input_tokens, output_tokens,
            cached_input_tokens, reasoning_tokens, usage_source, status, cost_usd, started_at, finished_at,
            streaming, recorded_at, replica)
        VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::bigint, $8::bigint, $9::bigint,
            $10::text, $11::text, $12::float8, $13::float8, $14::float8, $15::boolean, $16::float8, $17::text)
        ON CONFLICT (run_id) DO NOTHING
        """)

    /// $1 thread, $2 evicted at.
    static let importEviction = PGStatement("tm_import_eviction", parameters: 2, """
        INSERT INTO thread_evictions (thread_id, evicted_at)
        SELECT $1::text, $2::float8
        WHERE NOT EXISTS (SELECT 1 FROM thread_evictions WHERE thread_id = $1::text AND evicted_at = $2::float8)
        """)

    /// Recomputes `threads` and `usage_totals` from the ledger: each thread's runs since its last
    /// eviction (what a SQLite replica recovers at startup). Used after an import; exact by construction.
    static let rebuild = """
        BEGIN;
        LOCK TABLE threads, usage_totals IN EXCLUSIVE MODE;
        DELETE FROM threads;
        INSERT INTO threads (thread_id, input_tokens, output_tokens, total_tokens, runs, cost_usd, account, last_activity)
        SELECT c.thread_id, sum(c.input_tokens), sum(c.output_tokens), sum(c.input_tokens + c.output_tokens),
            count(*) FILTER (WHERE c.status = 'completed' OR c.input_tokens + c.output_tokens > 0),
            sum(c.cost_usd),
            (array_agg(c.account ORDER BY c.recorded_at DESC) FILTER (WHERE c.account IS NOT NULL))[1],
            max(c.recorded_at)
        FROM llm_calls c
        LEFT JOIN (SELECT thread_id, max(evicted_at) AS since FROM thread_evictions GROUP BY thread_id) e
            ON e.thread_id = c.thread_id
        WHERE c.recorded_at >= coalesce(e.since, '-infinity'::float8)
        GROUP BY c.thread_id;
        UPDATE usage_totals SET threads = 0, input_tokens = 0, output_tokens = 0, cost_usd = 0;
        UPDATE usage_totals SET (threads, input_tokens, output_tokens, cost_usd) =
            (SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0) FROM threads)
        WHERE slot = 0;
        COMMIT;
        """
}
