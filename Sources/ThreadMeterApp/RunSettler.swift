// The one place a run is settled: usage (reported, estimated or none) → record → meter (cost → ledger → registry).
import Foundation
import Metering
import Telemetry
import Upstream

/// A run's accounting from its start to its end.
struct RunSettler: Sendable {
    let meter: UsageMeter
    let logger: Logger

    /// The run starts: the thread is tracked and cannot be evicted until it ends. Returns the usage
    /// before this run (for `thread_info`).
    func begin(_ run: AcceptedRun) async -> ThreadUsageSnapshot {
        await meter.beginRun(threadId: run.threadId, account: run.query.accountName)
    }

    /// Records the run durably (before the client is told) and returns it settled.
    func settle(_ outcome: RunOutcome, of run: AcceptedRun) async -> SettledRun {
        let (usage, source) = usage(of: outcome, run)
        // Every run gets a ledger row; the meter decides whether it counts and prices it.
        let record = RunRecord(
            runId: outcome.runId ?? "unknown-\(run.requestId)", threadId: run.threadId, account: run.query.accountName,
            demandStage: run.query.demandStage, model: outcome.model, usage: usage, usageSource: source,
            status: outcome.status, startedAt: run.startedAt, finishedAt: Date().timeIntervalSince1970, streaming: run.query.stream,
            surface: run.surface
        )
        let settlement = await meter.settle(record)
        let upstreamError = outcome.status == .completed ? nil : (outcome.error ?? .streamBroken("run ended \(outcome.status.rawValue)"))
        return SettledRun(runId: outcome.runId, record: settlement.record, totals: settlement.thread.usage.withoutDetails,
                          upstreamError: upstreamError, storageFailure: settlement.storageFailure)
    }

    /// Contract §2, §5: reported usage; else an estimate, only for a run that completed; else nothing
    /// (a failed run accumulates only what the upstream reported).
    private func usage(of outcome: RunOutcome, _ run: AcceptedRun) -> (TokenUsage, UsageSource) {
        if let reported = outcome.reportedUsage { return (reported, .upstream) }
        guard outcome.status == .completed else { return (.zero, .upstream) }
        let estimate = UsageEstimate.estimate(prompt: run.prompt, answer: outcome.answer)
        logger.warning("upstream reported no usage for a completed run; using an estimate", [
            ("thread_id", run.threadId), ("run_id", outcome.runId ?? "-"),
            ("input_tokens", String(estimate.inputTokens)), ("output_tokens", String(estimate.outputTokens)),
        ])
        return (estimate, .estimated)
    }
}
