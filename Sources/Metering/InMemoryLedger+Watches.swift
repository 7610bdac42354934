// Watched drop-in runs in memory (they survive a restart of a service over the same ledger object).

extension InMemoryLedger: RunWatchStore {
    public func addWatch(_ watch: WatchedRun) async throws {
        if failWrites { throw WriteFailure() }
        watchRows.withLock { rows in
            rows.removeAll { $0.runId == watch.runId }
            rows.append(watch)
        }
    }

    public func removeWatch(runId: String) async throws {
        watchRows.withLock { $0.removeAll { $0.runId == runId } }
    }

    public func watchedRuns() async throws -> [WatchedRun] { watchRows.withLock { $0 } }
}
