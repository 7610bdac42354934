// POST /v1/query: validate → start the upstream run → thread_info → content… → settle usage → stream_complete.
import Foundation
import HTTPServer
import HTTPWire
import Metering
import Telemetry
import Upstream

/// Runs one query end to end, streamed (SSE) or as one JSON document.
struct QueryHandler: Sendable {
    let upstream: any RunProvider
    let meter: UsageMeter
    let metrics: ServiceMetrics
    let agentName: String
    let keepAliveSeconds: Double
    let instructions: String?
    let logger: Logger
    /// One usage event per finished run: a log line (label `usage`) and, when configured, the webhook.
    let usageEvents: UsageEventShipper?

    func handle(_ request: HTTPRequest, context: RequestContext, log: AccessLogLine) async -> HTTPResponse {
        let query: QueryRequest
        do {
            query = try QueryRequest.decode(contentType: request.headers["Content-Type"], body: request.body)
        } catch {
            return error.response
        }
        log.set(threadId: query.threadId)
        let startedAt = Date().timeIntervalSince1970
        let runRequest = RunRequest(
            threadId: query.threadId, query: query.query, demandStage: query.demandStage,
            accountName: query.accountName, additionalInstructions: query.additionalInstructions
        )
        // Started in a task a client disconnect cannot cancel: once the upstream accepted a run, the
        // stream below must see it through (abandon it and record its usage), never orphan it.
        let upstream = self.upstream
        let started = await Task { () -> Result<any UpstreamRun, UpstreamError> in
            do throws(UpstreamError) {
                return .success(try await upstream.startRun(runRequest))
            } catch {
                return .failure(error)
            }
        }.value
        let run: any UpstreamRun
        switch started {
        case .success(let accepted):
            run = accepted
        case .failure(let error):
            metrics.recordUpstreamError(kind: error.metricKind)
            logger.warning("upstream refused the run", [("request_id", context.requestId), ("code", error.code), ("error", error.message)])
            return Self.apiError(for: error).response
        }
        log.set(threadId: run.threadId)
        let before = await meter.beginRun(threadId: run.threadId, account: query.accountName)
        let session = RunSession(handler: self, query: query, run: run, startedAt: startedAt, requestId: context.requestId)
        if query.stream {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream")
            headers.add(name: "Cache-Control", value: "no-cache")
            headers.add(name: "X-Accel-Buffering", value: "no")
            return HTTPResponse(status: 200, headers: headers, body: .stream { writer in
                await session.stream(to: writer, before: before.usage)
                log.finish()
            })
        }
        return await session.collect()
    }

    /// Maps an upstream failure before the response started to the contract's status and code.
    static func apiError(for error: UpstreamError) -> APIError {
        var api = APIError(status: error.httpStatus, code: error.code, message: error.message)
        if case .rateLimited(let retryAfter, _) = error {
            api.headers.add(name: "Retry-After", value: retryAfter ?? "1")
        }
        return api
    }

    /// The instructions the upstream saw, for estimates.
    func promptText(for query: QueryRequest) -> String {
        [instructions, query.demandStage, query.accountName, query.additionalInstructions, query.query]
            .compactMap { $0 }.joined(separator: "\n")
    }
}

/// One accepted run being relayed.
struct RunSession: Sendable {
    let handler: QueryHandler
    let query: QueryRequest
    let run: any UpstreamRun
    let startedAt: Double
    let requestId: String

    private var logger: Logger { handler.logger }

    /// Streams the run as SSE. Client gone ⇒ the run is abandoned upstream and its usage still recorded.
    func stream(to writer: any ResponseBodyWriter, before: TokenUsage) async {
        handler.metrics.streamOpened()
        defer { handler.metrics.streamClosed() }
        var settled = false
        do {
            try await writer.write(QueryEvents.sse("thread_info", QueryEvents.threadInfo(
                agentName: handler.agentName, threadId: run.threadId, newThread: run.isNewThread, usage: before)))
            let ticks = KeepAliveTicker(events: run.events, interval: handler.keepAliveSeconds)
            defer { ticks.cancel() }
            var firstToken = true
            for await item in ticks.stream {
                switch item {
                case .keepAlive:
                    try await writer.write(SSEEncoder.keepAlive)
                case .event(.delta(let text)):
                    if firstToken {
                        firstToken = false
                        handler.metrics.observeFirstToken(seconds: Date().timeIntervalSince1970 - startedAt)
                    }
                    try await writer.write(QueryEvents.sse("content", QueryEvents.content(text)))
                case .event(.finished(let outcome)):
                    settled = true
                    let session = self
                    // Recorded in a task that a client disconnect cannot cancel half-way.
                    let result = await Task { await session.settle(outcome) }.value
                    // The usage is recorded; a client that left just now only misses the event.
                    try? await writer.write(QueryEvents.sse(result.eventType, result.event))
                    return
                }
            }
        } catch {
            // A write failed: the client is gone.
        }
        guard !settled else { return }
        // Client gone (write failed, or this task was cancelled and the event loop ended early):
        // stop the run upstream and still record what it used, in a task not cancelled with this one.
        let session = self
        await Task {
            let outcome = await session.run.abandon()
            session.logger.info("client disconnected mid-stream; run abandoned upstream", [
                ("request_id", session.requestId), ("thread_id", session.run.threadId),
                ("run_id", outcome.runId ?? "-"), ("status", outcome.status.rawValue),
            ])
            _ = await session.settle(outcome, clientGone: true)
        }.value
    }

    /// `stream: false`: waits for the end and answers one JSON document.
    func collect() async -> HTTPResponse {
        var outcome: RunOutcome?
        for await event in run.events {
            if case .finished(let o) = event { outcome = o }
        }
        if outcome == nil {
            // Cancelled (client gone) before the end.
            let session = self
            _ = await Task { await session.settle(await session.run.abandon(), clientGone: true) }.value
            return APIError(status: 499, code: "client_closed", message: "client closed the connection").response
        }
        let finished = outcome!
        let session = self
        let result = await Task { await session.settle(finished) }.value
        if result.isSuccess {
            let answer = JSONValue.object([
                ("thread_id", .string(run.threadId)),
                ("run_id", .optional(result.run.runId)),
                ("new_thread", .bool(run.isNewThread)),
                ("answer", .string(finished.answer)),
            ] + Array(QueryEvents.completion(result.run, threadTotals: result.totals).dropFirst(2)))
            return .json(answer)
        }
        var error = APIError(status: result.errorCode == "storage_error" ? 503 : 502, code: result.errorCode, message: result.errorMessage)
        error.extra = [("thread_id", .string(run.threadId)), ("token_usage", QueryEvents.usage(result.totals))]
        return error.response
    }

    /// The settled run with the thread's totals after it, and the terminal event to send.
    struct Result {
        var run: SettledRun
        var totals: TokenUsage
        var errorCode: String
        var errorMessage: String
        var isSuccess: Bool { errorCode.isEmpty }
        var eventType: String { isSuccess ? "stream_complete" : "error" }
        var event: JSONValue {
            isSuccess
                ? QueryEvents.streamComplete(run, threadTotals: totals)
                : QueryEvents.error(code: errorCode, message: errorMessage, threadId: run.threadId, threadTotals: totals)
        }
    }

    /// Records the run (durably, before the client is told) and works out the terminal event.
    func settle(_ outcome: RunOutcome, clientGone: Bool = false) async -> Result {
        let meter = handler.meter
        let settled = RunSettlement.settle(outcome, threadId: run.threadId, prompt: handler.promptText(for: query),
                                           pricing: { meter.cost(model: $0, usage: $1) }, logger: logger)
        var errorCode = ""
        var errorMessage = ""
        if let error = settled.error {
            errorCode = error.code == "thread_not_found" ? "upstream_error" : error.code
            errorMessage = error.message
            handler.metrics.recordUpstreamError(kind: error.metricKind)
        }
        // Every run gets a ledger row; one that failed without reporting usage accumulates nothing.
        let record = RunRecord(
            runId: settled.runId ?? "unknown-\(requestId)", threadId: run.threadId, account: query.accountName,
            demandStage: query.demandStage, model: settled.model, usage: settled.usage, usageSource: settled.source,
            status: settled.status.rawValue, costUSD: settled.costUSD, startedAt: startedAt,
            finishedAt: Date().timeIntervalSince1970, streaming: query.stream
        )
        let totals: TokenUsage
        do {
            totals = try await meter.finishRun(record).usage
        } catch {
            totals = error.snapshot?.usage ?? .zero
            errorCode = "storage_error"
            errorMessage = "usage could not be stored durably: \(error.reason)"
            handler.metrics.recordStorageError()
            logger.error("ledger write failed; usage kept in memory and queued for retry", [
                ("thread_id", run.threadId), ("run_id", settled.runId ?? "-"), ("error", error.reason),
            ])
        }
        let event = UsageEvent(
            time: Date(), threadId: run.threadId, runId: settled.runId, account: query.accountName, model: settled.model,
            inputTokens: settled.usage.inputTokens, outputTokens: settled.usage.outputTokens,
            cachedInputTokens: settled.usage.cachedInputTokens, reasoningTokens: settled.usage.reasoningTokens,
            costUSD: settled.costUSD, usageSource: settled.accumulates ? settled.source.rawValue : "none",
            streaming: query.stream, status: settled.status.rawValue, requestId: requestId
        )
        logger.labelled("usage").info("usage", event.logMetadata)
        _ = handler.usageEvents?.enqueue(event)
        handler.metrics.recordRun(outcome: settled.status.rawValue, usageSource: settled.accumulates ? settled.source.rawValue : "none",
                                  model: settled.model, inputTokens: settled.usage.inputTokens,
                                  outputTokens: settled.usage.outputTokens, costUSD: settled.costUSD)
        logger.info("run finished", [
            ("request_id", requestId), ("thread_id", run.threadId), ("run_id", settled.runId ?? "-"),
            ("status", settled.status.rawValue), ("usage_source", settled.source.rawValue),
            ("input_tokens", String(settled.usage.inputTokens)), ("output_tokens", String(settled.usage.outputTokens)),
            ("thread_total_tokens", String(totals.totalTokens)), ("client_gone", String(clientGone)),
        ])
        return Result(run: settled, totals: totals.withoutDetails, errorCode: errorCode, errorMessage: errorMessage)
    }
}

extension UpstreamError {
    /// Low-cardinality label for `threadmeter_upstream_errors_total{kind}`.
    var metricKind: String {
        switch self {
        case .connectionFailed: "connection"
        case .timeout: "timeout"
        case .rateLimited: "rate_limited"
        case .unauthorized: "unauthorized"
        case .threadNotFound: "not_found"
        case .badStatus: "bad_status"
        case .malformed: "malformed"
        case .runEnded: "run_failed"
        case .streamBroken: "stream_broken"
        }
    }
}
