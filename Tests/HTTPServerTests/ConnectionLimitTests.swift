// Connection counts: the maxConnections cap, and many idle connections on few threads.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct ConnectionLimitTests {
    func waitUntil(_ condition: () -> Bool, timeout: Duration = patience) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    @Test func connectionsBeyondTheCapAreAcceptedAndClosed() async throws {
        try await withRunningServer(configuration: testConfiguration { $0.maxConnections = 3 }, handler: Handlers.health) { server in
            let kept = try (0..<3).map { _ in try TestConnection(port: server.port) }
            for connection in kept { #expect(try await connection.request(path: "/").status == 200) }
            #expect(server.openConnections == 3)

            let refused = try TestConnection(port: server.port)
            #expect(try await refused.readUntilClose(timeout: patience).isEmpty)
            #expect(server.openConnections == 3)

            kept[0].close()
            #expect(try await waitUntil { server.openConnections == 2 })
            #expect(try await sendRequest(port: server.port, path: "/").status == 200)
        }
    }

    @Test func twoThousandIdleConnectionsUseAFewThreads() async throws {
        try await withRunningServer(configuration: testConfiguration { $0.idleTimeout = .seconds(30) }, handler: Handlers.health) { server in
            let before = try #require(ProcessStats.threadCount())
            var connections: [TestConnection] = []
            connections.reserveCapacity(2000)
            for _ in 0..<2000 { connections.append(try TestConnection(port: server.port)) }
            #expect(try await waitUntil { server.openConnections == 2000 })
            // Still serving with all of them open.
            #expect(try await connections[1999].request(path: "/").status == 200)
            let during = try #require(ProcessStats.threadCount())
            // A thread per connection would add 2000. Servers share a few serial queues and the test
            // client adds no threads: alone this adds 0-3 threads. The bound leaves room for other
            // suites in the same process starting threads of their own meanwhile.
            #expect(during - before < 100, "threads: \(before) before, \(during) with 2000 connections")
            for connection in connections { connection.close() }
            #expect(try await waitUntil { server.openConnections == 0 })
        }
    }
}
