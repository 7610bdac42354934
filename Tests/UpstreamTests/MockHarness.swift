import Foundation
import Metering
import MockUpstream
import Telemetry
import Testing
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
              configure: (inout UpstreamConfiguration) -> Void = { _ in }) -> any AssistantUpstream {
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

/// Starts a run and expects `startRun` to throw; returns the error.
func startFailure(_ upstream: any AssistantUpstream, _ request: RunRequest = RunRequest(threadId: nil, query: "Q?")) async -> UpstreamError? {
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
