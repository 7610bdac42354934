// One accepted run relayed to its client: thread_info → content… → the terminal event, or one JSON answer.
import Foundation
import HTTPServer
import HTTPWire
import JSONText
import Metering
import Upstream

/// Relays an accepted run and sees it through: settled and reported exactly once, client or not.
struct RunSession: Sendable {
    let run: AcceptedRun
    let settler: RunSettler
    let reporter: RunReporter
    let budgets: BudgetGate
    /// The run's budgets as they stood when it was admitted (`thread_info`).
    let budgetBefore: BudgetCheck
    let metrics: ServiceMetrics
    let agentName: String
    let keepAlive: KeepAlivePolicy

    /// Streams the run as SSE. Client gone ⇒ the run is abandoned upstream and its usage still recorded.
    func stream(to writer: any ResponseBodyWriter, before: TokenUsage) async {
        metrics.streamOpened()
        defer { metrics.streamClosed() }
        do {
            try await writer.write(QueryEvents.sse("thread_info", QueryEvents.threadInfo(
                agentName: agentName, threadId: run.threadId, newThread: run.upstream.isNewThread, usage: before, budget: budgetBefore.json)))
            let ticks = KeepAliveTicker(events: run.upstream.events, policy: keepAlive)
            defer { ticks.cancel() }
            var firstToken = true
            for await item in ticks.stream {
                switch item {
                case .keepAlive:
                    try await writer.write(SSEEncoder.keepAlive)
                case .event(.delta(let text)):
                    if firstToken {
                        firstToken = false
                        metrics.observeFirstToken(seconds: Date().timeIntervalSince1970 - run.startedAt)
                    }
                    try await writer.write(QueryEvents.sse("content", QueryEvents.content(text)))
                case .event(.finished(let outcome)):
                    let settled = await withoutCancellation { [self] in await finish(outcome, clientGone: false) }
                    // The usage is recorded; a client that left just now only misses the event.
                    try? await writer.write(QueryEvents.terminalEvent(settled))
                    return
                }
            }
        } catch {
            // A write failed: the client is gone.
        }
        // Client gone (a write failed, or this task was cancelled and the events ended early).
        _ = await withoutCancellation { [self] in await abandon() }
    }

    /// `stream: false`: waits for the end and answers one JSON document.
    func collect() async -> HTTPResponse {
        var outcome: RunOutcome?
        for await event in run.upstream.events {
            if case .finished(let finished) = event { outcome = finished }
        }
        guard let outcome else {
            // Cancelled (client gone) before the end.
            _ = await withoutCancellation { [self] in await abandon() }
            return APIError(.clientClosed, "client closed the connection").response
        }
        let settled = await withoutCancellation { [self] in await finish(outcome, clientGone: false) }
        guard let failure = settled.failure else {
            return .json(.object([
                ("thread_id", .string(run.threadId)),
                ("run_id", .optional(settled.runId)),
                ("new_thread", .bool(run.upstream.isNewThread)),
                ("answer", .string(outcome.answer)),
            ] + QueryEvents.completionFields(settled)))
        }
        // Once the run started, a failure is 502 (503 when only the store failed), not its code's status.
        var error = APIError(failure.code, failure.message, status: failure.code == .storageError ? 503 : 502)
        error.extra = [("thread_id", .string(run.threadId)), ("token_usage", QueryEvents.usage(settled.totals))]
        if let budget = settled.budget { error.extra.append(("budget", budget)) }
        return error.response
    }

    /// Stops the run upstream, then settles what it reported.
    private func abandon() async -> SettledRun {
        let outcome = await run.upstream.abandon()
        settler.logger.info("client disconnected; run abandoned upstream", [
            ("request_id", run.requestId), ("thread_id", run.threadId),
            ("run_id", outcome.runId ?? "-"), ("status", outcome.status.rawValue),
        ])
        return await finish(outcome, clientGone: true)
    }

    private func finish(_ outcome: RunOutcome, clientGone: Bool) async -> SettledRun {
        var settled = await settler.settle(outcome, of: run)
        reporter.report(settled, of: run, clientGone: clientGone)
        settled.budget = await budgets.afterRun(budgetBefore, threadId: run.threadId, account: run.query.accountName,
                                                requestId: run.requestId).json
        return settled
    }
}
