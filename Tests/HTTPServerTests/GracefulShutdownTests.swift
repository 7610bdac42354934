// shutdownGracefully: stop accepting, close idle connections, let streams finish until the deadline.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct GracefulShutdownTests {
    static func pacedStream(events: Int, every pause: Duration) -> HTTPHandler {
        { _, _ in
            HTTPResponse(status: 200, headers: ["Content-Type": "text/event-stream"], body: .stream { writer in
                for n in 1...events {
                    try await writer.write(SSEEncoder.event("content", data: #"{"n":\#(n)}"#))
                    try await Task.sleep(for: pause)
                }
            })
        }
    }

    @Test func runningStreamFinishesWhileIdleConnectionsCloseAndNewOnesAreRefused() async throws {
        try await withRunningServer(handler: Self.pacedStream(events: 5, every: .milliseconds(60))) { server in
            let port = server.port
            let idle = try TestConnection(port: port)
            #expect(try await idle.request(path: "/").status == 200)
            let stream = try await openEventStream(port: port, method: "GET", path: "/")
            #expect(try await stream.nextEvent()?.data == #"{"n":1}"#)

            let started = ContinuousClock.now
            let shutdown = Task { await server.shutdownGracefully(deadline: .seconds(5)) }
            #expect(await idle.waitForClose(timeout: .seconds(1)))
            try await Task.sleep(for: .milliseconds(20))
            #expect(throws: TestClientError.self) { _ = try TestConnection(port: port) }

            let rest = try await stream.remainingEvents()
            #expect(rest.map(\.data) == (2...5).map { #"{"n":\#($0)}"# })
            #expect(await stream.connection.waitForClose(timeout: .seconds(2)))
            await shutdown.value
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(server.openConnections == 0)
        }
    }

    @Test func deadlineCutsStreamsThatDoNotEnd() async throws {
        let outcome = TestOutcome()
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, body: .stream { writer in
                try await writer.write(Array("start".utf8))
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    outcome.record(error)
                    throw error
                }
            })
        }
        try await withRunningServer(handler: handler) { server in
            let connection = try TestConnection(port: server.port)
            try await connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            _ = try await connection.readHead()
            #expect(try await connection.readChunk() == Array("start".utf8))
            let started = ContinuousClock.now
            await server.shutdownGracefully(deadline: .milliseconds(300))
            let took = ContinuousClock.now - started
            #expect(took >= .milliseconds(280) && took < .seconds(2), "shutdown took \(took)")
            #expect(await outcome.wait(timeout: .seconds(1)))
            #expect(await connection.waitForClose(timeout: .seconds(1)))
            #expect(server.openConnections == 0)
        }
    }

    @Test func requestInFlightDuringShutdownIsAnsweredWithConnectionClose() async throws {
        let handlerStarted = TestLatch()
        let handler: HTTPHandler = { request, context in
            handlerStarted.open()
            try? await Task.sleep(for: .milliseconds(200))
            return await Handlers.echo(request, context)
        }
        try await withRunningServer(handler: handler) { server in
            let connection = try TestConnection(port: server.port)
            try await connection.send("GET /busy HTTP/1.1\r\nHost: a\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n")
            // Shut down only once the request is in flight (unread bytes would count as idle).
            #expect(await handlerStarted.wait(timeout: .seconds(2)))
            let shutdown = Task { await server.shutdownGracefully(deadline: .seconds(3)) }
            let response = try await connection.readResponse()
            #expect(response.text == "GET /busy ")
            #expect(response.headers["Connection"] == "close")
            #expect(try await connection.readUntilClose().isEmpty)
            await shutdown.value
        }
    }

    @Test func shutdownTwiceAndBeforeStartAreSafe() async throws {
        let server = HTTPServer(configuration: fastConfiguration { $0.port = 0 }, logger: .noop, handler: Handlers.health)
        await server.shutdownGracefully(deadline: .milliseconds(10))
        #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }

        let running = HTTPServer(configuration: fastConfiguration { $0.port = 0 }, logger: .noop, handler: Handlers.health)
        try running.start()
        await running.shutdownGracefully(deadline: .milliseconds(100))
        await running.shutdownGracefully(deadline: .milliseconds(100))
        #expect(running.openConnections == 0)
    }
}
