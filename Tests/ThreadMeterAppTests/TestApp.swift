// Starts the whole service on port 0 with injected parts, and a URLSession client that talks to it.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Metering
import Telemetry
import Testing
@testable import ThreadMeterApp
import Upstream

/// A running service for one test: on a loopback port (`withTestApp`), or in process with no
/// socket at all (`withInProcessApp`: `request` calls the service's handler directly).
struct TestApp: Sendable {
    let service: ThreadMeterService
    /// The bound port; 0 in process.
    let port: Int
    let ledger: any UsageLedger
    let logs: MemoryLogSink
    /// Whether `request` calls the handler directly instead of going over a socket.
    var inProcess = false

    var base: String { "http://127.0.0.1:\(port)" }
}

/// A simulated assistant that answers at once (no delays), deterministic.
func fastSimulatedAssistant(seed: UInt64 = 42) -> SimulatedAssistant {
    var options = SimulatedAssistant.Options()
    options.delay = .zero ... .zero
    options.seed = seed
    return SimulatedAssistant(options: options)
}

/// Runs `body` against a freshly started service and always shuts it down.
func withTestApp(
    configure: (inout ServiceConfiguration) -> Void = { _ in },
    upstream: (any RunProvider)? = nil,
    ledger: (any UsageLedger)? = nil,
    clock: (any MeteringClock)? = nil,
    timerClock: (any Clock<Duration>)? = nil,
    _ body: (TestApp) async throws -> Void
) async throws {
    var configuration = ServiceConfiguration()
    configuration.port = 0
    configuration.shutdownGraceSeconds = 2
    configure(&configuration)
    let logs = MemoryLogSink()
    let logger = Logger(label: "test", level: .debug, sink: logs)
    let ledger = ledger ?? InMemoryLedger()
    let service = ThreadMeterService(configuration: configuration, upstream: upstream ?? fastSimulatedAssistant(),
                                     ledger: ledger, clock: clock ?? SystemClock(), logger: logger,
                                     timerClock: timerClock ?? ContinuousClock())
    let port = try await service.start()
    let app = TestApp(service: service, port: port, ledger: ledger, logs: logs)
    do {
        try await body(app)
    } catch {
        await service.shutdown()
        throw error
    }
    await service.shutdown()
}

/// Like `withTestApp`, but nothing listens: `app.request` (and `query`, `getJSON`, `statistics`)
/// call the service's request handler in process and collect the response, streamed or not. For
/// tests about routes, validation, accounting and operator endpoints rather than the wire: no
/// sockets, no URLSession, no timing. The eviction timer does not run (call `evictIdleThreads`).
func withInProcessApp(
    configure: (inout ServiceConfiguration) -> Void = { _ in },
    upstream: (any RunProvider)? = nil,
    ledger: (any UsageLedger)? = nil,
    clock: (any MeteringClock)? = nil,
    _ body: (TestApp) async throws -> Void
) async throws {
    var configuration = ServiceConfiguration()
    configure(&configuration)
    let logs = MemoryLogSink()
    let logger = Logger(label: "test", level: .debug, sink: logs)
    let ledger = ledger ?? InMemoryLedger()
    let service = ThreadMeterService(configuration: configuration, upstream: upstream ?? fastSimulatedAssistant(),
                                     ledger: ledger, clock: clock ?? SystemClock(), logger: logger)
    try await service.meter.recover()
    try await body(TestApp(service: service, port: 0, ledger: ledger, logs: logs, inProcess: true))
}

/// A response as the client saw it.
struct ClientResponse: Sendable {
    let status: Int
    let headers: [String: String]
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    var json: [String: Any] {
        get throws {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw ClientError.notJSON(text)
            }
            return object
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// SSE events in order: (event type, data JSON object).
    var events: [SSEEventRecord] {
        get throws { try SSEEventRecord.parse(text) }
    }
}

struct SSEEventRecord: @unchecked Sendable {
    let type: String
    let data: [String: Any]

    static func parse(_ text: String) throws -> [SSEEventRecord] {
        var result: [SSEEventRecord] = []
        for block in text.components(separatedBy: "\n\n") where !block.isEmpty {
            var type = "message"
            var dataLines: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") { continue }
                if line.hasPrefix("event: ") { type = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { dataLines.append(String(line.dropFirst(6))) }
            }
            if dataLines.isEmpty { continue }
            #expect(dataLines.count == 1, "data is one line")
            guard let object = try JSONSerialization.jsonObject(with: Data(dataLines.joined(separator: "\n").utf8)) as? [String: Any] else {
                throw ClientError.notJSON(dataLines.joined())
            }
            #expect(object["type"] as? String == type, "data.type matches the event name")
            result.append(SSEEventRecord(type: type, data: object))
        }
        return result
    }

    /// `token_usage` / `run_usage` as (input, output, total).
    func usage(_ key: String) -> (Int, Int, Int)? {
        guard let u = data[key] as? [String: Any],
              let i = u["input_tokens"] as? Int, let o = u["output_tokens"] as? Int, let t = u["total_tokens"] as? Int else { return nil }
        return (i, o, t)
    }
}

enum ClientError: Error {
    case notJSON(String)
    case noResponse
}

/// One shared session: many connections per host, no caching, no cookies.
let testSession: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = 256
    configuration.timeoutIntervalForRequest = 30
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    return URLSession(configuration: configuration)
}()

extension TestApp {
    /// Sends a request and reads the whole response.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) async throws -> ClientResponse {
        if inProcess { return await handleInProcess(method, path, headers: headers, body: body) }
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await testSession.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw ClientError.noResponse }
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields["\(k)"] = "\(v)" }
        return ClientResponse(status: http.statusCode, headers: fields, body: data)
    }

    /// POST /v1/query with a JSON body built from `fields`.
    func query(_ fields: [String: Any], headers: [String: String] = [:]) async throws -> ClientResponse {
        let body = try JSONSerialization.data(withJSONObject: fields)
        var all = ["Content-Type": "application/json"]
        all.merge(headers) { $1 }
        return try await request("POST", "/v1/query", headers: all, body: body)
    }

    /// GET a JSON document (with the admin token when given).
    func getJSON(_ path: String, token: String? = nil) async throws -> [String: Any] {
        let response = try await request("GET", path, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
        #expect(response.status == 200, "GET \(path) → \(response.status): \(response.text)")
        return try response.json
    }

    /// `/stats` statistics object.
    func statistics(token: String? = nil, query: String = "") async throws -> [String: Any] {
        try #require(try await getJSON("/stats" + query, token: token)["statistics"] as? [String: Any])
    }
}
