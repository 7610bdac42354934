// The one reporter of a run's end: metrics, the usage event (log line and webhook) and the run log line.
import Foundation
import Telemetry
import Upstream

/// Tells metrics, the usage-event sinks and the log how a run went.
struct RunReporter: Sendable {
    let metrics: ServiceMetrics
    /// One usage event per finished run goes to the log (label `usage`) and, when configured, the webhook.
    let usageEvents: UsageEventShipper?
    let logger: Logger

    /// The upstream refused the run before the response started.
    func refused(_ error: UpstreamError, requestId: String) {
        metrics.recordUpstreamError(kind: error.metricKind)
        logger.warning("upstream refused the run", [("request_id", requestId), ("code", error.code), ("error", error.message)])
    }

    /// A settled run.
    func report(_ settled: SettledRun, of run: AcceptedRun, clientGone: Bool) {
        let record = settled.record
        if let error = settled.upstreamError { metrics.recordUpstreamError(kind: error.metricKind) }
        if let failure = settled.storageFailure {
            metrics.recordStorageError()
            logger.error("ledger write failed; usage kept in memory and queued for retry", [
                ("thread_id", run.threadId), ("run_id", settled.runId ?? "-"), ("error", failure.reason),
            ])
        }
        let event = UsageEvent(
            time: Date(), threadId: run.threadId, runId: settled.runId, account: record.account, model: record.model,
            inputTokens: record.usage.inputTokens, outputTokens: record.usage.outputTokens,
            cachedInputTokens: record.usage.cachedInputTokens, reasoningTokens: record.usage.reasoningTokens,
            costUSD: record.costUSD, usageSource: settled.reportedSource,
            streaming: record.streaming, status: record.status.rawValue, requestId: run.requestId
        )
        logger.labelled("usage").info("usage", event.logMetadata)
        _ = usageEvents?.enqueue(event)
        metrics.recordRun(outcome: record.status.rawValue, usageSource: settled.reportedSource, model: record.model,
                          inputTokens: record.usage.inputTokens, outputTokens: record.usage.outputTokens, costUSD: record.costUSD)
        logger.info("run finished", [
            ("request_id", run.requestId), ("thread_id", run.threadId), ("run_id", settled.runId ?? "-"),
            ("status", record.status.rawValue), ("usage_source", record.usageSource.rawValue),
            ("input_tokens", String(record.usage.inputTokens)), ("output_tokens", String(record.usage.outputTokens)),
            ("thread_total_tokens", String(settled.totals.totalTokens)), ("client_gone", String(clientGone)),
        ])
    }
}
