// A request made on an event loop uses (and returns) a connection of that loop.
import EventLoops
import Foundation
@testable import HTTPClient
import Testing
import TestSupport

@Suite struct EventLoopAffinityTests {
    @Test func aRequestMadeOnALoopUsesAConnectionOfThatLoop() async throws {
        let server = try ScriptedHTTPServer.answering()
        defer { server.stop() }
        let group = EventLoopGroup(count: 2, label: "test.affinity")
        var configuration = HTTPClientConfiguration()
        configuration.proxy = .direct
        let client = HTTPClient(configuration: configuration, eventLoopGroup: group)
        let target = try request("GET", "models", base: server.baseURL)
        func send(on loop: EventLoop) async throws -> Bool {
            try await Task(executorPreference: loop) {
                let (status, _, _) = try await exchange(client, target)
                return status == 200 && loop.inEventLoop
            }.value
        }
        #expect(try await send(on: group.loops[1]))
        #expect(client.idleLoopIndexes(target.origin) == [1])
        #expect(try await send(on: group.loops[0]))
        #expect(client.idleLoopIndexes(target.origin) == [0, 1], "loop 0 opened its own connection")
        #expect(try await send(on: group.loops[1]))
        #expect(try await send(on: group.loops[0]))
        #expect(server.acceptedCount == 2, "each loop reused its own connection")
    }
}
