// Timeouts over real sockets: slowloris, idle keep-alive, stalled bodies.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct TimeoutTests {
    @Test func slowlorisGets408AndIsClosedWhileOthersAreServed() async throws {
        try await withTestServer(configuration: fastConfiguration { $0.headerTimeout = .milliseconds(800) }, handler: Handlers.echo) { port in
            let slow = try TestConnection(port: port)
            let started = ContinuousClock.now
            try await slow.send("GET / HTTP/1.1\r\n")
            try await Task.sleep(for: .milliseconds(150))
            try await slow.send("X-Slow: 1\r\n")
            // Meanwhile other clients are served promptly.
            for i in 0..<5 {
                let response = try await sendRequest(port: port, path: "/other/\(i)")
                #expect(response.status == 200)
            }
            // …all before the slow client's deadline.
            #expect(ContinuousClock.now - started < .milliseconds(800))
            let response = try await slow.readResponse(timeout: .seconds(3))
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 408)
            #expect(response.errorCode == "request_timeout")
            #expect(response.headers["Connection"] == "close")
            #expect(elapsed >= .milliseconds(780) && elapsed < .milliseconds(2500), "408 after \(elapsed)")
            #expect(await slow.waitForClose(timeout: .seconds(3)))
        }
    }

    @Test func idleKeptAliveConnectionIsClosedAfterIdleTimeout() async throws {
        try await withRunningServer(configuration: fastConfiguration { $0.idleTimeout = .milliseconds(300) }, handler: Handlers.echo) { server in
            let connection = try TestConnection(port: server.port)
            // Measured from before the request: the server's idle clock starts after this point.
            let sent = ContinuousClock.now
            #expect(try await connection.request(path: "/").status == 200)
            #expect(await connection.waitForClose(timeout: .seconds(3)))
            let idle = ContinuousClock.now - sent
            #expect(idle >= .milliseconds(300) && idle < .milliseconds(2000), "closed after \(idle)")
        }
    }

    @Test func stalledBodyGets408() async throws {
        try await withTestServer(configuration: fastConfiguration { $0.bodyTimeout = .milliseconds(300) }, handler: Handlers.echo) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab")
            let response = try await connection.readResponse(timeout: .seconds(3))
            #expect(response.status == 408)
            #expect(response.errorCode == "request_timeout")
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
        let configuration = fastConfiguration { $0.writeTimeout = .milliseconds(400) }
        try await withTestServer(configuration: configuration, handler: handler) { port in
            let connection = try TestConnection(port: port, receiveBufferSize: 4096)
            try await connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            // Never read: the write timeout must end the stream by itself.
            #expect(await outcome.wait(timeout: .seconds(5)))
            #expect(outcome.error is ClientDisconnected)
            connection.close()
        }
    }
}
