import Foundation
import Metering
import MockUpstream
import Telemetry
import Testing
import TestSupport
@testable import Upstream

/// Starts a mock upstream on port 0, runs `body`, always shuts it down.
func withMock<T>(_ settings: MockUpstreamSettings = MockUpstreamSettings(), _ body: (MockUpstreamServer) async throws -> T) async throws -> T {
    let mock = MockUpstreamServer(settings: settings)
    try mock.start()
    do {
        let result = try await body(mock)
        await mock.shutdown(deadline: .milliseconds(200))
        return result
    } catch {
        await mock.shutdown(deadline: .milliseconds(200))
        throw error
    }
}

/// A configuration pointing at `baseURL` with short timeouts for tests.
func testConfiguration(_ api: UpstreamConfiguration.API, baseURL: URL, instructions: String? = nil) -> UpstreamConfiguration {
    var configuration = UpstreamConfiguration(apiKey: "sk-test", baseURL: baseURL, api: api, assistantId: "asst_test", model: "gpt-4o-mini", instructions: instructions)
    // Generous: the machine is shared and busy; the timeout tests set short values themselves.
    configuration.connectTimeout = .seconds(5)
    configuration.firstByteTimeout = .seconds(5)
    configuration.idleTimeout = .seconds(5)
    configuration.abandonTimeout = .seconds(2)
    configuration.pollInterval = .milliseconds(20)
    configuration.proxy = .direct  // loopback tests never go through a proxy the environment names
    return configuration
}

func upstream(_ api: UpstreamConfiguration.API, _ mock: MockUpstreamServer, instructions: String? = nil, logger: Logger = .noop,
              configure: (inout UpstreamConfiguration) -> Void = { _ in }) -> any RunProvider {
    var configuration = testConfiguration(api, baseURL: mock.baseURL, instructions: instructions)
    configure(&configuration)
    return makeUpstream(configuration, logger: logger)
}

/// Collects a run's events: deltas, the outcome, and when each arrived.
struct CollectedRun {
    var deltas: [String] = []
    var outcome: RunOutcome?
    var finishedEvents = 0
}

func collect(_ run: any UpstreamRun) async -> CollectedRun {
    var collected = CollectedRun()
    for await event in run.events {
        switch event {
        case .delta(let text): collected.deltas.append(text)
        case .finished(let outcome):
            collected.outcome = collected.outcome ?? outcome
            collected.finishedEvents += 1
        }
    }
    return collected
}

/// A mock answer long enough to abandon mid-stream: 40 deltas, 30 ms apart.
func midStreamSettings() -> MockUpstreamSettings {
    var settings = MockUpstreamSettings()
    settings.deltaCount = 40
    settings.deltaDelay = .milliseconds(30)
    return settings
}

/// A stream that would take 10 s to end by itself (40 deltas, 250 ms apart): a run found
/// `cancelled` with fewer than 40 deltas' usage was stopped by `abandon()`, however busy the machine.
func longStreamSettings() -> MockUpstreamSettings {
    var settings = midStreamSettings()
    settings.deltaDelay = .milliseconds(250)
    return settings
}

/// For abandon tests: the abandon deadline is `patience`, so a loaded machine does not turn a stop
/// into a timeout.
func patientAbandon(_ configuration: inout UpstreamConfiguration) {
    configuration.abandonTimeout = patience
}

/// What `abandonMidStream` saw: the run and its outcome.
struct AbandonedRun {
    var run: any UpstreamRun
    var outcome: RunOutcome
}

/// Starts a run, waits for its first delta, then abandons it.
func abandonMidStream(_ upstream: any RunProvider) async throws -> AbandonedRun {
    let run = try await upstream.startRun(RunRequest(threadId: nil, query: "A long question?"))
    var iterator = run.events.makeAsyncIterator()
    _ = await iterator.next()
    let outcome = await run.abandon()
    return AbandonedRun(run: run, outcome: outcome)
}

/// The name of an error's case without its payload (`threadNotFound`), for `#expect` comparisons.
func caseName(_ error: UpstreamError?) -> String? {
    error.map { String(String(describing: $0).prefix { $0 != "(" }) }
}

/// Starts a run and expects `startRun` to throw; returns the error.
func startFailure(_ upstream: any RunProvider, _ request: RunRequest = RunRequest(threadId: nil, query: "Q?")) async -> UpstreamError? {
    do {
        let run = try await upstream.startRun(request)
        Issue.record("expected startRun to fail, it started a run on \(run.threadId)")
        _ = await run.abandon()
        return nil
    } catch {
        return error
    }
}

/// A loopback port with no listener (connections are refused).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    try #require(named == 0)
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A loopback listener that never accepts and whose accept queue is already full, so a further
/// connect hangs in the TCP handshake. Returns the port and the descriptors to close afterwards.
func saturatedListener() throws -> (port: Int, descriptors: [Int32]) {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(listener >= 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    try #require(listen(listener, 0) == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    var descriptors = [listener]
    // Fill the accept queue (backlog 0 holds one connection) with non-blocking connects.
    for _ in 0..<4 {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        descriptors.append(client)
    }
    return (Int(UInt16(bigEndian: address.sin_port)), descriptors)
}
