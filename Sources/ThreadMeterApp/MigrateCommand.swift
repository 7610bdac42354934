// `threadmeter migrate --from sqlite:PATH --to postgres://…`: copies a SQLite ledger into the shared store.
import Foundation
import Metering
import PostgresStore
import SQLiteLedger
import Telemetry

/// The `migrate` subcommand. Copies every ledger row and eviction record (a run id already in the
/// target is left alone, so running it twice copies nothing twice), recomputes the thread and global
/// totals from the ledger, evicts what the SQLite replica would no longer track, and checks that the
/// target now shows exactly the totals the SQLite replica would recover. Returns the exit status.
public enum MigrateCommand {
    public static let help = """
    Usage: threadmeter migrate --from sqlite:PATH --to postgres://USER:PASSWORD@HOST:PORT/DB [--max-age SECONDS]
      Copies the SQLite usage ledger at PATH (stop the replica that writes it first) into PostgreSQL:
      every run row and eviction, then the per-thread and global totals, checked against the source.
      --max-age defaults to $THREAD_MAX_AGE_SECONDS, then 86400 (threads idle longer are not carried over,
      as a SQLite replica would not recover them).
    """

    public static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        var from: String?
        var to: String?
        var maxAge = Double(environment["THREAD_MAX_AGE_SECONDS"] ?? "") ?? 86_400
        func fail(_ message: String) -> Int32 { CommandOptions.fail("migrate", message) }
        let pairs: [(name: String, value: String)]
        switch CommandOptions.parse(arguments, command: "migrate", help: help) {
        case .exit(let status): return status
        case .pairs(let parsed): pairs = parsed
        }
        for (name, value) in pairs {
            switch name {
            case "--from": from = value
            case "--to": to = value
            case "--max-age":
                guard let v = Double(value), v > 0 else { return fail("--max-age must be a number of seconds > 0") }
                maxAge = v
            default: return fail("unknown argument '\(name)'")
            }
        }
        guard let from, from.hasPrefix("sqlite:"), from.count > "sqlite:".count else {
            return fail("--from must be sqlite:PATH")
        }
        let path = String(from.dropFirst("sqlite:".count))
        guard FileManager.default.fileExists(atPath: path) else { return fail("no SQLite ledger at \(path)") }
        guard let to else { return fail("--to must be a postgres:// or postgresql:// URL") }
        let url: PostgresURL
        do {
            url = try PostgresURL(to)
        } catch {
            return fail(error.message)
        }
        let logger = Logger(label: "migrate", level: .warning, sink: StreamLogSink())
        let source: SQLiteLedger
        do {
            source = try SQLiteLedger(path: path, logger: logger)
        } catch {
            return fail("\(error)")
        }
        defer { source.close() }
        let target: PostgresUsageStore
        do {
            target = try await PostgresUsageStore.open(url: url, logger: logger, connectTimeout: .seconds(30))
        } catch {
            return fail(error.message)
        }
        defer { target.close() }
        do {
            let copied = try await copy(from: source, to: target)
            try await target.rebuildTotals()
            let evicted = try await target.evictIdle(maxAgeSeconds: maxAge)
            // What a SQLite replica would show after a restart now, against what PostgreSQL shows.
            let expected = try await source.loadThreads(activeSince: Date().timeIntervalSince1970 - maxAge)
            var mismatches: [String] = []
            for thread in expected {
                let actual = try await target.snapshot(threadId: thread.threadId)
                if actual?.usage != thread.usage || actual?.runs != thread.runs {
                    mismatches.append("\(thread.threadId): sqlite \(thread.usage.totalTokens) tokens/\(thread.runs) runs, postgres \(actual.map { "\($0.usage.totalTokens) tokens/\($0.runs) runs" } ?? "missing")")
                }
            }
            let totals = try await target.totals()
            let expectedTokens = expected.reduce(0) { $0 + $1.usage.totalTokens }
            if totals.totalTokens != expectedTokens || totals.threads != expected.count {
                mismatches.append("totals: sqlite \(expected.count) threads/\(expectedTokens) tokens, postgres \(totals.threads) threads/\(totals.totalTokens) tokens")
            }
            print("copied \(copied.rows) run rows (\(copied.runsInSource) in the source), \(copied.evictions) evictions and \(copied.budgets) budgets to \(url)")
            print("threads tracked: \(totals.threads), total tokens: \(totals.totalTokens) (\(evicted.count) threads idle longer than \(Int(maxAge)) s not carried over)")
            if !mismatches.isEmpty {
                FileHandle.standardError.write(Data(("threadmeter migrate: totals differ after the copy:\n" + mismatches.prefix(20).joined(separator: "\n") + "\n").utf8))
                return 1
            }
            print("verified: every thread's totals match the SQLite ledger")
            return 0
        } catch {
            return fail("\(error)")
        }
    }

    private static func copy(from source: SQLiteLedger, to target: PostgresUsageStore) async throws -> (rows: Int, runsInSource: Int, evictions: Int, budgets: Int) {
        let runsInSource = try await source.runCount()
        var after: Int64 = 0
        var rows = 0
        while true {
            let batch = try await source.exportRuns(afterRowId: after, limit: 1_000)
            if batch.records.isEmpty { break }
            try await target.importRuns(batch.records)
            rows += batch.records.count
            after = batch.lastRowId
        }
        let evictions = try await source.exportEvictions()
        var start = 0
        while start < evictions.count {
            let end = min(evictions.count, start + 1_000)
            try await target.importEvictions(Array(evictions[start..<end]))
            start = end
        }
        // Budgets (§9): created or replaced by scope and key, so a second run changes nothing.
        let budgets = try await source.allBudgets()
        for budget in budgets { try await target.putBudget(budget) }
        return (rows, runsInSource, evictions.count, budgets.count)
    }
}
