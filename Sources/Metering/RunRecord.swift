// One run as the ledger stores it.

/// A finished run (successful or not): one row of the `llm_calls` ledger.
public struct RunRecord: Sendable, Equatable {
    /// Upstream run id (`run_…`, `resp_…`), or one the service made up when there was none.
    public var runId: String
    public var threadId: String
    public var account: String?
    public var demandStage: String?
    /// Model as the upstream reported it (may be a dated snapshot).
    public var model: String?
    /// The run's usage, with cached/reasoning details where reported.
    public var usage: TokenUsage
    public var usageSource: UsageSource
    public var status: RunStatus
    /// Estimated cost in USD; `nil` for an unknown model. `UsageMeter.finishRun` fills it from the
    /// pricing table when the caller leaves it `nil`.
    public var costUSD: Double?
    /// Unix seconds when the run started and finished.
    public var startedAt: Double
    public var finishedAt: Double
    /// Whether the client received the answer as SSE.
    public var streaming: Bool
    /// When the registry accounted the run, on the meter's clock (Unix seconds). Recovery compares
    /// it with eviction times, which come from the same clock. `UsageMeter.finishRun` sets it; a
    /// ledger stores `finishedAt` when it is `nil`.
    public var recordedAt: Double?
    /// The surface the run came through (`query`, `assistants`, `responses`): the ledger's `surface` column.
    public var surface: RunSurface

    public init(
        runId: String, threadId: String, account: String? = nil, demandStage: String? = nil, model: String? = nil,
        usage: TokenUsage, usageSource: UsageSource = .upstream, status: RunStatus = .completed, costUSD: Double? = nil,
        startedAt: Double, finishedAt: Double, streaming: Bool = true, recordedAt: Double? = nil,
        surface: RunSurface = .query
    ) {
        self.runId = runId
        self.threadId = threadId
        self.account = account
        self.demandStage = demandStage
        self.model = model
        self.usage = usage
        self.usageSource = usageSource
        self.status = status
        self.costUSD = costUSD
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.streaming = streaming
        self.recordedAt = recordedAt
        self.surface = surface
    }

    /// `recordedAt`, or `finishedAt` when the meter did not stamp the record.
    public var accountedAt: Double { recordedAt ?? finishedAt }

    /// Whether the run counts: it is priced, added to its thread and counted in `runs`. True when it
    /// completed, or reported usage before failing. A failed run that reported nothing still gets its
    /// ledger row (for audit) but accumulates nothing. The one place this is decided.
    public var countsAsRun: Bool { status == .completed || usage.totalTokens > 0 }
}

/// Which of the service's surfaces a run came through (the ledger's `surface` column).
public enum RunSurface: String, Sendable, Equatable, CaseIterable {
    /// `POST /v1/query`.
    case query
    /// The drop-in Assistants routes (`/v1/threads/...`, contract §8).
    case assistants
    /// The drop-in Responses routes (`/v1/responses`, contract §8).
    case responses
}
