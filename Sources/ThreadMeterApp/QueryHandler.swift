// POST /v1/query: validate → start the upstream run → hand it to a RunSession (streamed or collected).
import Foundation
import HTTPServer
import HTTPWire
import Metering
import Tracing
import Upstream

/// Starts one query's run and answers it, streamed (SSE) or as one JSON document.
struct QueryHandler: Sendable {
    let upstream: any RunProvider
    let settler: RunSettler
    let reporter: RunReporter
    let budgets: BudgetGate
    let metrics: ServiceMetrics
    let agentName: String
    let keepAlive: KeepAlivePolicy
    let instructions: String?

    func handle(_ request: RouteRequest) async -> HTTPResponse {
        let query: QueryRequest
        do {
            query = try QueryRequest.decode(contentType: request.http.headers["Content-Type"], body: request.http.body)
        } catch {
            return error.response
        }
        request.log.set(threadId: query.threadId)
        // A shared usage store that is unreachable: refuse before the upstream runs (and charges).
        guard settler.meter.acceptsRuns else {
            return APIError(.storageError, "usage store unavailable; try again shortly").response
        }
        // Budgets (§9): refused here, before anything reaches the upstream.
        let budgetCheck: BudgetCheck
        do {
            budgetCheck = try await budgets.admit(threadId: query.threadId, account: query.accountName, requestId: request.context.requestId)
        } catch {
            return error.queryResponse
        }
        let startedAt = Date().timeIntervalSince1970
        let trace = SpanContext.child(of: request.http.headers["traceparent"].flatMap { TraceParent(header: $0) })
        let runRequest = RunRequest(
            threadId: query.threadId, query: query.query, demandStage: query.demandStage,
            accountName: query.accountName, additionalInstructions: query.additionalInstructions,
            traceparent: trace.traceparent.header
        )
        // Once the upstream accepted a run, the session below must see it through (abandon it and
        // record its usage), never orphan it: a disconnect must not cancel the start half-way.
        let upstream = self.upstream
        let started = await withoutCancellation { () -> Result<any UpstreamRun, UpstreamError> in
            do throws(UpstreamError) {
                return .success(try await upstream.startRun(runRequest))
            } catch {
                return .failure(error)
            }
        }
        let run: any UpstreamRun
        switch started {
        case .success(let accepted):
            run = accepted
        case .failure(let error):
            reporter.refused(error, requestId: request.context.requestId, query: query, trace: trace, startedAt: startedAt)
            return Self.apiError(for: error).response
        }
        request.log.set(threadId: run.threadId)
        let accepted = AcceptedRun(upstream: run, query: query, prompt: promptText(for: query), startedAt: startedAt,
                                   requestId: request.context.requestId, trace: trace)
        let before = await settler.begin(accepted)
        let session = RunSession(run: accepted, settler: settler, reporter: reporter, budgets: budgets, budgetBefore: budgetCheck, metrics: metrics,
                                 agentName: agentName, keepAlive: keepAlive)
        guard query.stream else { return await session.collect() }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-cache")
        headers.add(name: "X-Accel-Buffering", value: "no")
        return HTTPResponse(status: 200, headers: headers, body: .stream { writer in
            await session.stream(to: writer, before: before.usage)
        })
    }

    /// Maps an upstream failure before the response started to the contract's status and code.
    static func apiError(for error: UpstreamError) -> APIError {
        var api = APIError(ErrorCode(error), error.message)
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
