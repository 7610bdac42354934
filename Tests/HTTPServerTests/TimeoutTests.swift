// Timeouts over real sockets: slowloris, idle keep-alive, stalled bodies.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct TimeoutTests {
    @Test func slowlorisGets408AndIsClosedWhileOthersAreServed() async throws {
        let headerTimeout = Duration.milliseconds(800)
        try await withTestServer(configuration: testConfiguration { $0.headerTimeout = headerTimeout }, handler: Handlers.echo) { port in
            let slow = try TestConnection(port: port)
            let started = ContinuousClock.now
            try await slow.send("GET / HTTP/1.1\r\n")
            try await Task.sleep(for: .milliseconds(150))
            // May find the connection already answered if this test was held up: that is checked below.
            _ = try? await slow.send("X-Slow: 1\r\n")
            // Meanwhile other clients are served…
            for i in 0..<5 {
                let response = try await sendRequest(port: port, path: "/other/\(i)")
                #expect(response.status == 200)
            }
            // …while the slow one is still waiting (checked when this test was not itself held up).
            if ContinuousClock.now - started < headerTimeout - .milliseconds(100) {
                #expect((try? await slow.receive(timeout: .zero)) == nil, "the slow client was answered early")
            }
            let response = try await slow.readResponse()
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 408)
            #expect(response.errorCode == "request_timeout")
            #expect(response.headers["Connection"] == "close")
            #expect(elapsed >= headerTimeout, "408 after \(elapsed)")
            #expect(await slow.waitForClose(timeout: patience))
        }
    }

    @Test func idleKeptAliveConnectionIsClosedAfterIdleTimeout() async throws {
        try await withRunningServer(configuration: testConfiguration { $0.idleTimeout = .milliseconds(300) }, handler: Handlers.echo) { server in
            let connection = try TestConnection(port: server.port)
            // Measured from before the request: the server's idle clock starts after this point.
            let sent = ContinuousClock.now
            #expect(try await connection.request(path: "/").status == 200)
            #expect(await connection.waitForClose(timeout: patience))
            let idle = ContinuousClock.now - sent
            #expect(idle >= .milliseconds(300), "closed after \(idle)")
        }
    }

    @Test func stalledBodyGets408() async throws {
        try await withTestServer(configuration: testConfiguration { $0.bodyTimeout = .milliseconds(300) }, handler: Handlers.echo) { port in
            let connection = try TestConnection(port: port)
            let sent = ContinuousClock.now
            try await connection.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab")
            let response = try await connection.readResponse()
            #expect(response.status == 408)
            #expect(response.errorCode == "request_timeout")
            #expect(ContinuousClock.now - sent >= .milliseconds(300))
        }
    }

    @Test func clientThatStopsReadingIsDisconnectedAfterWriteTimeout() async throws {
        let outcome = TestOutcome()
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, body: .stream { writer in
                let chunk = [UInt8](repeating: 0x61, count: 16 * 1024)
                do {
                    while true { try await writer.write(chunk) }
                } catch {
                    outcome.record(error)
                    throw error
                }
            })
        }
        let configuration = testConfiguration { $0.writeTimeout = .milliseconds(400) }
        try await withTestServer(configuration: configuration, handler: handler) { port in
            let connection = try TestConnection(port: port, receiveBufferSize: 4096)
            try await connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            // Never read: the write timeout must end the stream by itself.
            #expect(await outcome.wait())
            #expect(outcome.error is ClientDisconnected)
            connection.close()
        }
    }
}
