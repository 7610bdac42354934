// Watched drop-in runs of one replica: kept in its ledger (SQLite), next to the rows they become.

extension LocalUsageStore {
    public func addWatch(_ watch: WatchedRun) async throws {
        guard let store = ledger as? any RunWatchStore else { throw WatchesUnsupported() }
        try await store.addWatch(watch)
    }

    public func removeWatch(runId: String) async throws {
        guard let store = ledger as? any RunWatchStore else { throw WatchesUnsupported() }
        try await store.removeWatch(runId: runId)
    }

    public func watchedRuns() async throws -> [WatchedRun] {
        guard let store = ledger as? any RunWatchStore else { return [] }
        return try await store.watchedRuns()
    }
}
