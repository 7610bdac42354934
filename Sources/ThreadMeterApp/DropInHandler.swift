// The drop-in OpenAI surfaces (contract §8): forward, pass through, and account runs and responses.
import Foundation
import HTTPServer
import HTTPWire
import Metering
import Telemetry
import Tracing
import Upstream

/// Serves the Assistants and Responses routes of contract §8 by forwarding them upstream with
/// ThreadMeter's own key. Bodies and statuses pass through; run and response creations and reads are
/// accounted (`DropInAccounting`), streamed ones through `DropInRelay`, the others by `RunWatcher`.
struct DropInHandler: Sendable {
    /// nil without `OPENAI_API_KEY` (the routes then answer 503).
    let upstream: DropInUpstream?
    let accounting: DropInAccounting
    let watcher: RunWatcher?
    let relay: DropInRelay?
    /// The budget seam: called before a run or response is forwarded (default: admit).
    let admission: DropInAdmission
    let logger: Logger

    /// Largest non-streamed upstream body passed through.
    static let maxBodyBytes = 64 << 20
    /// Client headers forwarded upstream (never `Authorization`).
    static let forwardedRequestHeaders = ["Content-Type", "Idempotency-Key", "traceparent"]

    init(upstream: DropInUpstream?, accounting: DropInAccounting, admission: @escaping DropInAdmission = DropInAdmissions.admitAll,
         watches: any RunWatchStore, watchSchedule: RunWatcher.Schedule = RunWatcher.Schedule(), keepAlive: KeepAlivePolicy? = nil,
         isStopped: @escaping @Sendable () -> Bool = { false }, logger: Logger) {
        self.upstream = upstream
        self.accounting = accounting
        self.admission = admission
        self.logger = logger
        watcher = upstream.map {
            RunWatcher(upstream: $0, accounting: accounting, store: watches, schedule: watchSchedule, logger: logger, isStopped: isStopped)
        }
        relay = watcher.map { DropInRelay(accounting: accounting, watcher: $0, logger: logger, keepAlive: keepAlive) }
    }

    // MARK: Routes

    /// Forwards the request and passes the answer through (threads, messages, conversations, cancel).
    func forward(_ request: RouteRequest, _ surface: DropInUpstream.Surface, _ template: String...) async -> HTTPResponse {
        let prepared: (DropInUpstream, [String])
        switch prepare(request, template) {
        case .success(let ready): prepared = ready
        case .failure(let error): return error.openAIResponse
        }
        switch await send(request, prepared.0, prepared.1, surface, streaming: false) {
        case .failure(let error): return error.openAIResponse
        case .success(let response): return await passThrough(response)
        }
    }

    /// Creates a run (`POST /threads/{id}/runs`, `POST /threads/runs`) or a response (`POST /responses`):
    /// admission, forward, then relay the stream or pass the object through and watch the run.
    func create(_ request: RouteRequest, _ surface: DropInUpstream.Surface, _ template: String...) async -> HTTPResponse {
        let prepared: (DropInUpstream, [String])
        switch prepare(request, template) {
        case .success(let ready): prepared = ready
        case .failure(let error): return error.openAIResponse
        }
        let body = DropInCreateRequest(body: request.http.body)
        let named = surface == .assistants ? request.parameters["id"] : body.conversation
        let runSurface: RunSurface = surface == .assistants ? .assistants : .responses
        let budget: BudgetCheck
        switch await admission(DropInAdmissionRequest(threadId: named, account: body.account, surface: runSurface)) {
        case .success(let check): budget = check
        case .failure(let refusal): return refusal.openAIResponse
        }
        let run = DropInRun(surface: runSurface, account: body.account, streaming: body.stream, requestId: request.context.requestId,
                            startedAt: Date().timeIntervalSince1970,
                            trace: SpanContext.child(of: request.http.headers["traceparent"].flatMap { TraceParent(header: $0) }),
                            budget: budget)
        let response: DropInResponse
        switch await send(request, prepared.0, prepared.1, surface, streaming: body.stream) {
        case .failure(let error): return error.openAIResponse
        case .success(let answer): response = answer
        }
        guard (200..<300).contains(response.status) else { return await passThrough(response) }
        if body.stream, response.isEventStream, let relay {
            request.log.set(threadId: named)
            let reader = DropInRunReader(surface: surface, threadId: surface == .assistants ? named : nil)
            var headers = Self.passedHeaders(response.headers)
            headers.add(name: "Cache-Control", value: "no-cache")
            headers.add(name: "X-Accel-Buffering", value: "no")
            return HTTPResponse(status: response.status, headers: headers, body: .stream { writer in
                await relay.relay(response, reader: reader, surface: surface, run: run, to: writer)
            })
        }
        let bytes: [UInt8]
        do {
            bytes = try await withoutCancellation { () -> Result<[UInt8], UpstreamError> in
                do throws(UpstreamError) { return .success(try await response.collect(limit: Self.maxBodyBytes)) } catch { return .failure(error) }
            }.get()
        } catch {
            return QueryHandler.apiError(for: error).openAIResponse
        }
        if let polled = DropInRunReader.polled(bytes, surface: surface) {
            request.log.set(threadId: polled.accountingThreadId)
            await watchOrSettle(polled, surface: surface, run: run)
        }
        return Self.answer(response, bytes)
    }

    /// Reads a run or response (`GET …/runs/{run_id}`, `GET /responses/{id}`): passed through, and a
    /// terminal one not yet accounted is accounted now (never twice).
    func read(_ request: RouteRequest, _ surface: DropInUpstream.Surface, _ template: String...) async -> HTTPResponse {
        let prepared: (DropInUpstream, [String])
        switch prepare(request, template) {
        case .success(let ready): prepared = ready
        case .failure(let error): return error.openAIResponse
        }
        let response: DropInResponse
        switch await send(request, prepared.0, prepared.1, surface, streaming: false) {
        case .failure(let error): return error.openAIResponse
        case .success(let answer): response = answer
        }
        let bytes: [UInt8]
        do {
            bytes = try await response.collect(limit: Self.maxBodyBytes)
        } catch {
            return QueryHandler.apiError(for: error).openAIResponse
        }
        if (200..<300).contains(response.status), let polled = DropInRunReader.polled(bytes, surface: surface),
           let outcome = polled.outcome, !accounting.claims.isClaimed(polled.runId) {
            let run = DropInRun(surface: surface == .assistants ? .assistants : .responses,
                                account: DropInCreateRequest.account(inObject: bytes), streaming: false,
                                requestId: request.context.requestId, startedAt: Date().timeIntervalSince1970,
                                trace: SpanContext.child(of: nil))
            _ = await withoutCancellation { [accounting] in
                await accounting.settle(outcome, threadId: polled.accountingThreadId, run: run, begun: false)
            }
        }
        return Self.answer(response, bytes)
    }

    // MARK: Steps

    /// A run object answered to a non-streamed creation: account it now if it is over, else watch it.
    private func watchOrSettle(_ polled: DropInRunReader.Polled, surface: DropInUpstream.Surface, run: DropInRun) async {
        if let outcome = polled.outcome {
            _ = await withoutCancellation { [accounting] in
                await accounting.settle(outcome, threadId: polled.accountingThreadId, run: run, begun: false)
            }
            return
        }
        await accounting.begin(threadId: polled.accountingThreadId, account: run.account)
        await watcher?.watch(runId: polled.runId, threadId: polled.accountingThreadId, surface: surface, run: run, cancelFirst: false)
    }

    /// The upstream and the path below its base URL, with every `{param}` checked (400 before any
    /// upstream call); 503 without an upstream.
    private func prepare(_ request: RouteRequest, _ template: [String]) -> Result<(DropInUpstream, [String]), APIError> {
        var path: [String] = []
        for segment in template {
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else {
                path.append(segment)
                continue
            }
            let name = String(segment.dropFirst().dropLast())
            let value = request.parameters[name] ?? ""
            guard ThreadIdentifier.isWellFormed(value) else {
                return .failure(.badRequest("path parameter '\(name)' must match ^[A-Za-z0-9_-]{1,64}$"))
            }
            path.append(value)
        }
        guard let upstream else {
            return .failure(APIError(.upstreamError, "no upstream is configured (OPENAI_API_KEY is unset)", status: 503))
        }
        return .success((upstream, path))
    }

    /// Sends the request upstream (a client that leaves meanwhile does not cancel a started call).
    private func send(_ request: RouteRequest, _ upstream: DropInUpstream, _ path: [String], _ surface: DropInUpstream.Surface,
                      streaming: Bool) async -> Result<DropInResponse, APIError> {
        let target = request.http.target
        let query = target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }.flatMap { $0.isEmpty ? nil : $0 }
        let headers = Self.forwardedRequestHeaders.compactMap { name in request.http.headers[name].map { (name, $0) } }
        let method = request.http.method == "HEAD" ? "GET" : request.http.method
        let body = method == "GET" ? nil : request.http.body
        return await withoutCancellation { () -> Result<DropInResponse, APIError> in
            do throws(UpstreamError) {
                return .success(try await upstream.send(method: method, path: path, query: query, headers: headers, body: body,
                                                        surface: surface, streaming: streaming))
            } catch {
                return .failure(QueryHandler.apiError(for: error))
            }
        }
    }

    /// The upstream's answer passed through: status, body and the headers a client may rely on.
    private func passThrough(_ response: DropInResponse) async -> HTTPResponse {
        do {
            return Self.answer(response, try await response.collect(limit: Self.maxBodyBytes))
        } catch {
            return QueryHandler.apiError(for: error).openAIResponse
        }
    }

    private static func answer(_ response: DropInResponse, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: response.status, headers: passedHeaders(response.headers), body: .bytes(body))
    }

    /// The upstream headers passed to the client: content type, `Retry-After`, `x-request-id`,
    /// `x-ratelimit-*` and `openai-version`/`openai-processing-ms` (never the organisation or project).
    static func passedHeaders(_ upstream: [String: String]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in upstream.sorted(by: { $0.key < $1.key }) {
            if ["content-type", "retry-after", "x-request-id", "openai-version", "openai-processing-ms"].contains(name)
                || name.hasPrefix("x-ratelimit-") {
                headers.add(name: name, value: value)
            }
        }
        return headers
    }
}
