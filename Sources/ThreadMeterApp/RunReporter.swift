// The one reporter of a run's end: metrics, the usage event (log line and webhook) and the run log line.
import Foundation
import Telemetry
import Tracing
import Upstream

/// Tells metrics, the usage-event sinks and the log how a run went.
struct RunReporter: Sendable {
    let metrics: ServiceMetrics
    /// One usage event per finished run goes to the log (label `usage`) and, when configured, the webhook.
    let usageEvents: UsageEventShipper?
    /// One span per run when OTLP export is configured.
    let tracer: RunTracer?
    let logger: Logger

    /// The upstream refused the run before the response started.
    func refused(_ error: UpstreamError, requestId: String, query: QueryRequest, trace: SpanContext, startedAt: Double) {
        metrics.recordUpstreamError(kind: error.metricKind)
        logger.warning("upstream refused the run", [("request_id", requestId), ("code", error.code), ("error", error.message)])
        tracer?.refused(code: ErrorCode(error), message: error.message, threadId: query.threadId, account: query.accountName,
                        trace: trace, startedAt: startedAt)
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
        // The metadata is built only when the line is written (formatting the cost is not free).
        let logsRuns = logger.isEnabled(.info)
        if logsRuns { logger.labelled("usage").info("usage", event.logMetadata) }
        _ = usageEvents?.enqueue(event)
        // A client that stopped the run is not a failure of the run.
        tracer?.finished(event, failure: clientGone ? nil : settled.failure, trace: run.trace, startedAt: run.startedAt)
        metrics.recordRun(outcome: record.status.rawValue, usageSource: settled.reportedSource, model: record.model,
                          inputTokens: record.usage.inputTokens, outputTokens: record.usage.outputTokens, costUSD: record.costUSD)
        guard logsRuns else { return }
        logger.info("run finished", [
            ("request_id", run.requestId), ("thread_id", run.threadId), ("run_id", settled.runId ?? "-"),
            ("status", record.status.rawValue), ("usage_source", record.usageSource.rawValue),
            ("input_tokens", String(record.usage.inputTokens)), ("output_tokens", String(record.usage.outputTokens)),
            ("thread_total_tokens", String(settled.totals.totalTokens)), ("client_gone", String(clientGone)),
        ])
    }
}
