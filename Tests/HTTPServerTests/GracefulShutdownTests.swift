// shutdownGracefully: stop accepting, close idle connections, let streams finish until the deadline.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct GracefulShutdownTests {
    static func pacedStream(events: Int, every pause: Duration, marker: String = "") -> HTTPHandler {
        { _, _ in
            HTTPResponse(status: 200, headers: ["Content-Type": "text/event-stream", "X-Test-Marker": marker], body: .stream { writer in
                for n in 1...events {
                    try await writer.write(SSEEncoder.event("content", data: #"{"n":\#(n)}"#))
                    try await Task.sleep(for: pause)
                }
            })
        }
    }

    @Test func runningStreamFinishesWhileIdleConnectionsCloseAndNewOnesAreRefused() async throws {
        let marker = "shutdown-\(UInt64.random(in: 0 ... .max))"
        try await withRunningServer(handler: Self.pacedStream(events: 5, every: .milliseconds(60), marker: marker)) { server in
            let port = server.port
            let idle = try TestConnection(port: port)
            #expect(try await idle.request(path: "/").status == 200)
            let stream = try await openEventStream(port: port, method: "GET", path: "/")
            #expect(try await stream.nextEvent()?.data == #"{"n":1}"#)

            let started = ContinuousClock.now
            let shutdown = Task { await server.shutdownGracefully(deadline: patience) }
            // The listener is closed before idle connections are: once this one is closed,
            // new connections must be refused.
            #expect(await idle.waitForClose(timeout: patience))
            // New connections are refused. Tests run in parallel in one process, so another test's server
            // may already have been given the freed port: then it must not be this server that answers.
            if let late = try? TestConnection(port: port) {
                let head = try? await late.request(path: "/", timeout: .seconds(1))
                #expect(head?.headers["X-Test-Marker"] != marker, "a connection after shutdown reached this server")
                late.close()
            }

            let rest = try await stream.remainingEvents()
            #expect(rest.map(\.data) == (2...5).map { #"{"n":\#($0)}"# })
            #expect(await stream.connection.waitForClose(timeout: patience))
            await shutdown.value
            // Returned when the stream was done, not at the deadline.
            #expect(ContinuousClock.now - started < patience)
            #expect(server.openConnections == 0)
        }
    }

    @Test func deadlineCutsStreamsThatDoNotEnd() async throws {
        let outcome = TestOutcome()
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, body: .stream { writer in
                try await writer.write(Array("start".utf8))
                try await outcome.recordingCancellation { try await Task.sleep(for: .seconds(60)) }
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
            #expect(took >= .milliseconds(300) && took < patience, "shutdown took \(took)")
            #expect(await outcome.wait())
            // The handler was cancelled at the deadline, not before.
            #expect(try #require(outcome.recordedAt) - started >= .milliseconds(300))
            #expect(await connection.waitForClose(timeout: patience))
            #expect(server.openConnections == 0)
        }
    }

    @Test func requestInFlightDuringShutdownIsAnsweredWithConnectionClose() async throws {
        let handlerStarted = TestLatch()
        let shutdownStarted = TestLatch()
        let handler: HTTPHandler = { request, context in
            handlerStarted.open()
            await shutdownStarted.wait()
            return await Handlers.echo(request, context)
        }
        try await withRunningServer(handler: handler) { server in
            let port = server.port
            let connection = try TestConnection(port: port)
            try await connection.send("GET /busy HTTP/1.1\r\nHost: a\r\n\r\nGET /never HTTP/1.1\r\nHost: a\r\n\r\n")
            // Shut down only once the request is in flight (unread bytes would count as idle).
            #expect(await handlerStarted.wait())
            let shutdown = Task { await server.shutdownGracefully(deadline: patience) }
            // Refused connections show the shutdown has begun; only then does the handler answer.
            #expect(await eventually {
                guard let probe = try? TestConnection(port: port) else { return true }
                probe.close()
                return false
            }, "the listener closes")
            shutdownStarted.open()
            let response = try await connection.readResponse()
            #expect(response.text == "GET /busy ")
            #expect(response.headers["Connection"] == "close")
            #expect(try await connection.readUntilClose().isEmpty)
            await shutdown.value
        }
    }

    @Test func shutdownTwiceAndBeforeStartAreSafe() async throws {
        let server = HTTPServer(configuration: testConfiguration { $0.port = 0 }, logger: .noop, handler: Handlers.health)
        await server.shutdownGracefully(deadline: .milliseconds(10))
        #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }

        let running = HTTPServer(configuration: testConfiguration { $0.port = 0 }, logger: .noop, handler: Handlers.health)
        try running.start()
        await running.shutdownGracefully(deadline: .milliseconds(100))
        await running.shutdownGracefully(deadline: .milliseconds(100))
        #expect(running.openConnections == 0)
    }
}
