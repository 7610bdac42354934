// Drop-in runs the service follows until they are terminal, kept durably so a restart resumes them.

/// A run or response the service watches until it is terminal (contract §8: a client may never poll
/// it). Recorded before the client is answered and removed once the run is settled or given up, so a
/// stop or crash meanwhile does not leave it unaccounted: the next start resumes every row.
public struct WatchedRun: Sendable, Equatable {
    public var runId: String
    /// The accounting thread: the Assistants thread id, the conversation id, or the response id.
    public var threadId: String
    /// `.assistants` or `.responses`.
    public var surface: RunSurface
    /// `metadata.account` of the creation request.
    public var account: String?
    /// Whether the run was created streamed (its stream ended early or its client left).
    public var streaming: Bool
    public var requestId: String
    /// Unix seconds when the creation request arrived (the watch gives up relative to it).
    public var startedAt: Double
    /// The client left a stream: an Assistants run is cancelled before it is polled.
    public var cancelFirst: Bool

    public init(runId: String, threadId: String, surface: RunSurface, account: String?, streaming: Bool, requestId: String,
                startedAt: Double, cancelFirst: Bool) {
        self.runId = runId
        self.threadId = threadId
        self.surface = surface
        self.account = account
        self.streaming = streaming
        self.requestId = requestId
        self.startedAt = startedAt
        self.cancelFirst = cancelFirst
    }
}

/// Where watched runs are kept: the usage store (a SQLite table next to the ledger, or a table shared
/// by the PostgreSQL replicas). Keyed by run id: adding a run again replaces its row.
public protocol RunWatchStore: Sendable {
    /// Records a watch durably (returns once it is stored).
    func addWatch(_ watch: WatchedRun) async throws
    /// Forgets a watch (nothing happens when there is none).
    func removeWatch(runId: String) async throws
    /// Every recorded watch, oldest first.
    func watchedRuns() async throws -> [WatchedRun]
}

/// Thrown by a store whose ledger cannot keep watches (the watch then lives in memory only).
public struct WatchesUnsupported: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "this usage ledger cannot keep watched runs" }
}
