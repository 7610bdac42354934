// Connection counts: the maxConnections cap, and many idle connections on few threads.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct ConnectionLimitTests {
    @Test func connectionsBeyondTheCapAreAcceptedAndClosed() async throws {
        try await withRunningServer(configuration: testConfiguration { $0.maxConnections = 3 }, handler: Handlers.health) { server in
            let kept = try (0..<3).map { _ in try TestConnection(port: server.port) }
            for connection in kept { #expect(try await connection.request(path: "/").status == 200) }
            #expect(server.openConnections == 3)

            let refused = try TestConnection(port: server.port)
            #expect(try await refused.readUntilClose(timeout: patience).isEmpty)
            #expect(server.openConnections == 3)

            kept[0].close()
            #expect(await eventually { server.openConnections == 2 })
            #expect(try await sendRequest(port: server.port, path: "/").status == 200)
        }
    }

    @Test func twoThousandIdleConnectionsUseAFewThreads() async throws {
        try await withRunningServer(configuration: testConfiguration { $0.idleTimeout = .seconds(30) }, handler: Handlers.health) { server in
            let before = try #require(ProcessStats.threadCount())
            var connections: [TestConnection] = []
            connections.reserveCapacity(2000)
            for _ in 0..<2000 { connections.append(try TestConnection(port: server.port)) }
            #expect(await eventually { server.openConnections == 2000 })
            // Still serving with all of them open.
            #expect(try await connections[1999].request(path: "/").status == 200)
            let during = try #require(ProcessStats.threadCount())
            // A thread per connection would add 2000. Servers share a few serial queues and the test
            // client adds no threads: alone this adds 0-3 threads. The count is the process's, and
            // with every suite running in parallel the others start Dispatch and test threads of
            // their own meanwhile (up to a few hundred), so the bound sits halfway: it still
            // tells a thread per connection from a few.
            #expect(during - before < 1_000, "threads: \(before) before, \(during) with 2000 connections")
            for connection in connections { connection.close() }
            #expect(await eventually { server.openConnections == 0 })
        }
    }
}
