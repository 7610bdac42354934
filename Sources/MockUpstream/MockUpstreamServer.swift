// A loopback server that speaks the Assistants v2 and Responses wire formats, with fault switches.
import Foundation
import HTTPServer
import HTTPWire
import Synchronization
import Telemetry

/// An in-memory OpenAI-style upstream on our own HTTP server (loopback, port 0 by default).
///
/// Speaks both protocols byte for byte like `shared/fixtures`: Assistants (`/v1/threads`,
/// `…/messages`, `…/runs` streamed, `…/runs/{id}/cancel`, `GET …/runs/{id}`) and Responses
/// (`/v1/conversations`, `/v1/responses` streamed, `GET /v1/responses/{id}`). Remembers threads,
/// conversations and runs (unknown ones → 404), answers with configurable text, delta count and delay,
/// sends `x-ratelimit-*` headers, records requests, and misbehaves on demand (`setFault`).
/// Every switch is thread-safe and may change while streams run.
public final class MockUpstreamServer: Sendable {
    let state = Mutex(MockUpstreamState())
    private let server = Mutex<HTTPServer?>(nil)
    private let requestedPort: Int
    let logger: Logger

    /// Rate-limit budget announced in `x-ratelimit-limit-requests`.
    static let requestLimit = 10_000

    public init(port: Int = 0, settings: MockUpstreamSettings = MockUpstreamSettings(), logger: Logger = .noop) {
        self.requestedPort = port
        self.logger = logger.labelled("mock-upstream")
        state.withLock { $0.settings = settings }
    }

    // MARK: Lifecycle

    /// Binds 127.0.0.1 and starts serving.
    public func start() throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = requestedPort
        configuration.maxBodyBytes = 4 * 1024 * 1024
        configuration.maxConnections = 60_000
        let server = HTTPServer(configuration: configuration, logger: logger) { [weak self] request, _ in
            guard let self else { return HTTPResponse(status: 503) }
            return await self.handle(request)
        }
        try server.start()
        self.server.withLock { $0 = server }
    }

    /// The bound port (after `start()`).
    public var port: Int { server.withLock { $0?.port ?? 0 } }

    /// `http://127.0.0.1:<port>/v1`, the base URL to configure a client with.
    public var baseURL: URL {
        URL(string: "http://127.0.0.1:\(port)/v1")!  // a literal host and an integer port always parse
    }

    /// Stops the server; running streams get `deadline` to finish.
    public func shutdown(deadline: Duration = .seconds(1)) async {
        let current = server.withLock { server -> HTTPServer? in
            defer { server = nil }
            return server
        }
        await current?.shutdownGracefully(deadline: deadline)
    }

    // MARK: Switches

    /// Changes the settings (answer, deltas, delay, …) for requests from now on.
    public func update(_ change: (inout MockUpstreamSettings) -> Void) {
        state.withLock { change(&$0.settings) }
    }

    public var settings: MockUpstreamSettings { state.withLock { $0.settings } }

    /// Makes `endpoint` misbehave (nil: behave again).
    public func setFault(_ fault: MockUpstreamFault?, for endpoint: MockEndpoint) {
        state.withLock { $0.faults[endpoint] = fault }
    }

    /// Removes every fault.
    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    // MARK: Observations

    /// Requests received, oldest first (when `settings.recordRequests`).
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Requests that hit `endpoint`.
    public func requests(to endpoint: MockEndpoint) -> [RecordedRequest] {
        state.withLock { $0.requests.filter { $0.endpoint == endpoint } }
    }

    public func clearRequests() { state.withLock { $0.requests.removeAll() } }

    /// Requests received in total (also when not recorded).
    public var requestCount: Int { state.withLock { $0.requestCount } }

    /// Usage reported over all finished runs: what a metering client must have accounted.
    public var reportedUsage: MockUsageTotals { state.withLock { $0.totals } }

    /// Status of a run or response (`in_progress`, `cancelling`, `completed`, `cancelled`, …), nil if unknown.
    public func status(ofRun id: String) -> String? { state.withLock { $0.runs[id]?.status } }

    /// Creates a thread (as if by `POST /threads`) and returns its id.
    public func makeThread() -> String {
        let id = Self.makeId("thread_", alphanumerics: 24)
        state.withLock { $0.threads[id] = .init() }
        return id
    }

    /// Creates a conversation (as if by `POST /conversations`) and returns its id.
    public func makeConversation() -> String {
        let id = Self.makeId("conv_", hex: 48)
        state.withLock { $0.conversations[id] = .init() }
        return id
    }

    // MARK: Routing

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let path = request.path
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let route = Self.route(method: request.method, parts: parts)
        let (fault, count) = state.withLock { state -> (MockUpstreamFault?, Int) in
            state.record(RecordedRequest(method: request.method, path: path, headers: request.headers, body: request.body, endpoint: route?.endpoint,
                                         target: request.target))
            if route?.endpoint == .cancelRun { state.cancelCalls += 1 }
            return (route.flatMap { state.faults[$0.endpoint] }, state.requestCount)
        }
        logger.debug("mock upstream request", [("method", request.method), ("path", path)])
        guard let route else {
            return errorResponse(404, "Invalid URL (\(request.method) \(path))", count: count)
        }
        if let key = state.withLock({ $0.settings.apiKey }), request.headers["authorization"] != "Bearer \(key)" {
            return errorResponse(401, "Incorrect API key provided.", code: "invalid_api_key", count: count)
        }
        if route.isAssistants, request.headers["openai-beta"] != "assistants=v2" {
            return errorResponse(400, "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.", count: count)
        }
        switch fault {
        case .status(let status, let retryAfter)?:
            return errorResponse(status, Self.message(forStatus: status), retryAfter: retryAfter, count: count)
        case .delayHeaders(let delay)?:
            do {
                try await Task.sleep(for: delay)
            } catch {
                return errorResponse(499, "client went away", count: count)
            }
        case .closeConnection?:
            let streams = route.endpoint == .createRun || route.endpoint == .createResponse || route.endpoint == .createThreadAndRun
            let contentType = streams ? "text/event-stream; charset=utf-8" : "application/json"
            return HTTPResponse(status: 200, headers: headers(contentType: contentType, count: count), body: .stream { _ in
                throw MockConnectionClosed()
            })
        default:
            break
        }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        switch route {
        case .createThread: return createThread(body: body, count: count)
        case .addMessage(let thread): return addMessage(thread: thread, body: body, count: count)
        case .createRun(let thread): return createRun(thread: thread, body: body, fault: fault, count: count)
        case .cancelRun(let thread, let run): return cancelRun(thread: thread, run: run, fault: fault, count: count)
        case .getRun(let thread, let run): return getRun(thread: thread, run: run, count: count)
        case .createConversation: return createConversation(body: body, count: count)
        case .createResponse: return createResponse(body: body, fault: fault, count: count)
        case .getResponse(let id): return getResponse(id: id, count: count)
        case .createThreadAndRun: return createThreadAndRun(body: body, fault: fault, count: count)
        case .getThread(let thread): return getThread(thread, count: count)
        case .listMessages(let thread): return listMessages(thread, count: count)
        case .getConversation(let id): return getConversation(id, count: count)
        }
    }

    enum Route {
        case createThread, addMessage(String), createRun(String), cancelRun(String, String), getRun(String, String)
        case createConversation, createResponse, getResponse(String)
        case createThreadAndRun, getThread(String), listMessages(String), getConversation(String)

        var endpoint: MockEndpoint {
            switch self {
            case .createThread: .createThread
            case .addMessage: .addMessage
            case .createRun: .createRun
            case .cancelRun: .cancelRun
            case .getRun: .getRun
            case .createConversation: .createConversation
            case .createResponse: .createResponse
            case .getResponse: .getResponse
            case .createThreadAndRun: .createThreadAndRun
            case .getThread: .getThread
            case .listMessages: .listMessages
            case .getConversation: .getConversation
            }
        }

        var isAssistants: Bool {
            switch self {
            case .createThread, .addMessage, .createRun, .cancelRun, .getRun, .createThreadAndRun, .getThread, .listMessages: true
            default: false
            }
        }
    }

    static func route(method: String, parts: [String]) -> Route? {
        guard parts.first == "v1" else { return nil }
        switch (method, Array(parts.dropFirst())) {
        case ("POST", ["threads"]): return .createThread
        case ("POST", ["threads", "runs"]): return .createThreadAndRun
        case ("GET", let p) where p.count == 2 && p[0] == "threads": return .getThread(p[1])
        case ("GET", let p) where p.count == 3 && p[0] == "threads" && p[2] == "messages": return .listMessages(p[1])
        case ("GET", let p) where p.count == 2 && p[0] == "conversations": return .getConversation(p[1])
        case ("POST", let p) where p.count == 3 && p[0] == "threads" && p[2] == "messages": return .addMessage(p[1])
        case ("POST", let p) where p.count == 3 && p[0] == "threads" && p[2] == "runs": return .createRun(p[1])
        case ("POST", let p) where p.count == 5 && p[0] == "threads" && p[2] == "runs" && p[4] == "cancel": return .cancelRun(p[1], p[3])
        case ("GET", let p) where p.count == 4 && p[0] == "threads" && p[2] == "runs": return .getRun(p[1], p[3])
        case ("POST", ["conversations"]): return .createConversation
        case ("POST", ["responses"]): return .createResponse
        case ("GET", let p) where p.count == 2 && p[0] == "responses": return .getResponse(p[1])
        default: return nil
        }
    }

    // MARK: Responses on the wire

    /// Headers of every answer: content type, `x-ratelimit-*` (the remaining budget falls with each
    /// request) and `openai-version`, in the order of the recorded fixtures.
    func headers(contentType: String, count: Int) -> HTTPHeaders {
        let remaining = Self.requestLimit - 1 - (count % Self.requestLimit)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        if contentType.hasPrefix("text/event-stream") { headers.add(name: "cache-control", value: "no-cache") }
        headers.add(name: "x-ratelimit-limit-requests", value: String(Self.requestLimit))
        headers.add(name: "x-ratelimit-remaining-requests", value: String(remaining))
        headers.add(name: "x-ratelimit-reset-requests", value: "6ms")
        headers.add(name: "x-ratelimit-limit-tokens", value: "2000000")
        headers.add(name: "x-ratelimit-remaining-tokens", value: "1999000")
        headers.add(name: "x-ratelimit-reset-tokens", value: "0s")
        headers.add(name: "openai-version", value: "2020-10-01")
        headers.add(name: "x-request-id", value: "req_mock\(count)")
        return headers
    }

    func jsonResponse(_ value: MockJSON, count: Int) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers(contentType: "application/json", count: count), body: .bytes(Array(value.render().utf8)))
    }

    func eventStream(count: Int, _ produce: @escaping @Sendable (any ResponseBodyWriter) async throws -> Void) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers(contentType: "text/event-stream; charset=utf-8", count: count), body: .stream(produce))
    }

    /// An OpenAI-style error: `{"error": {"message", "type", "param", "code"}}`.
    func errorResponse(_ status: Int, _ message: String, type: String = "invalid_request_error", param: String? = nil, code: String? = nil, retryAfter: String? = nil, count: Int) -> HTTPResponse {
        var headers = headers(contentType: "application/json", count: count)
        if let retryAfter { headers.add(name: "retry-after", value: retryAfter) }
        let body = MockJSON.object([("error", .object([
            ("message", .string(message)), ("type", .string(status >= 500 ? "server_error" : type)),
            ("param", .optional(param)), ("code", .optional(code)),
        ]))])
        return HTTPResponse(status: status, headers: headers, body: .bytes(Array(body.render().utf8)))
    }

    /// The error message the mock sends with a fault status.
    public static func message(forStatus status: Int) -> String {
        switch status {
        case 401: "Incorrect API key provided: sk-mock***. You can find your API key at https://platform.openai.com/account/api-keys."
        case 403: "You are not allowed to use this project."
        case 404: "Not found."
        case 429: "Rate limit reached for requests. Please try again later."
        case 500: "The server had an error while processing your request. Sorry about that!"
        case 503: "The engine is currently overloaded, please try again later."
        default: "Mock upstream error \(status)."
        }
    }

    /// Counts run `id`'s usage as reported, then writes its terminal event(s): counted before the client
    /// can see them, so `reportedUsage` is never behind what a client received. A failed write takes the count back.
    func writeTerminal(_ id: String, _ text: String, _ write: (String) async throws -> Void) async throws {
        state.withLock { $0.markDelivered(id) }
        do {
            try await write(text)
        } catch {
            state.withLock { $0.undeliver(id) }
            throw error
        }
    }

    // MARK: Ids and clock

    static func makeId(_ prefix: String, alphanumerics count: Int) -> String {
        let characters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<count).map { _ in characters.randomElement() ?? "a" })
    }

    static func makeId(_ prefix: String, hex count: Int) -> String {
        let characters = Array("0123456789abcdef")
        return prefix + String((0..<count).map { _ in characters.randomElement() ?? "0" })
    }

    static var now: Int { Int(Date().timeIntervalSince1970) }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
