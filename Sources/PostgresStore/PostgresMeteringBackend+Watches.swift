// Watched drop-in runs shared by every replica: the backend forwards to the shared store.
import Metering

extension PostgresMeteringBackend {
    public func addWatch(_ watch: WatchedRun) async throws { try await store.addWatch(watch) }

    public func removeWatch(runId: String) async throws { try await store.removeWatch(runId: runId) }

    public func watchedRuns() async throws -> [WatchedRun] { try await store.watchedRuns() }
}
