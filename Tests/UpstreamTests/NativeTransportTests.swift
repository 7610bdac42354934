// The native HTTP/1.1 transport against a scripted loopback server: reuse, framing, dead kept-alive
// connections, cancellation, failures and the connection bound.
import Foundation
import Synchronization
import Testing
@testable import Upstream

@Suite struct NativeTransportTests {
    func client(_ server: ScriptedHTTPServer, configure: (inout UpstreamConfiguration) -> Void = { _ in }) -> UpstreamHTTPClient {
        var configuration = testConfiguration(.assistants, baseURL: server.baseURL)
        configuration.transport = .native
        configure(&configuration)
        return UpstreamHTTPClient(configuration: configuration, logger: .noop)
    }

    static func request(_ method: String, _ path: String, body: String? = nil) -> UpstreamHTTPClient.Request {
        .init(method: method, path: path, headers: [("Authorization", "Bearer sk-test")], body: body.map { Data($0.utf8) })
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    static func eventually(within seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    static func message(_ error: UpstreamError) -> String { error.message }

    @Test func transportIsNativeForHTTPAndURLSessionForHTTPSUnlessConfigured() {
        var configuration = UpstreamConfiguration(apiKey: "k", baseURL: URL(string: "http://127.0.0.1:9/v1")!)
        #expect(configuration.transport == .automatic)
        #expect(configuration.resolvedTransport == .native)
        configuration.transport = .urlSession
        #expect(configuration.resolvedTransport == .urlSession)
        configuration = UpstreamConfiguration(apiKey: "k", baseURL: URL(string: "https://api.openai.com/v1")!)
        #expect(configuration.resolvedTransport == .urlSession)
        configuration.transport = .native
        #expect(configuration.resolvedTransport == .urlSession, "no TLS: https always goes through URLSession")
    }

    @Test func sequentialRequestsReuseOneKeptAliveConnection() async throws {
        let requests = Mutex<[String]>([])
        let server = try ScriptedHTTPServer { connection in
            while let request = connection.readRequest() {
                requests.withLock { $0.append(request) }
                connection.write(httpResponse("{\"ok\":true}", headers: "x-ratelimit-remaining-requests: 7\r\n"))
            }
        }
        defer { server.stop() }
        let client = client(server)
        for index in 0..<5 {
            let (status, headers, body) = try await client.exchange(Self.request("POST", "threads/t\(index)/runs", body: "{\"i\":\(index)}"))
            #expect(status == 200)
            #expect(headers["content-type"] == "application/json")
            #expect(String(decoding: body, as: UTF8.self) == "{\"ok\":true}")
        }
        #expect(server.acceptedCount == 1)
        #expect(client.rateLimits.snapshot()["x-ratelimit-remaining-requests"] == "7")
        let first = try #require(requests.withLock { $0.first })
        #expect(first.hasPrefix("POST /v1/threads/t0/runs HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(first.contains("\r\nAuthorization: Bearer sk-test\r\n"))
        #expect(first.contains("\r\nContent-Length: 7\r\n"))
        #expect(first.contains("\r\nConnection: keep-alive\r\n"))
        #expect(first.hasSuffix("\r\n\r\n{\"i\":0}"))
    }

    @Test func chunkedAndContentLengthBodiesStreamInAsTheyArrive() async throws {
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            Thread.sleep(forTimeInterval: 0.1)
            connection.write("6\r\n world\r\n0\r\n\r\n")
            guard connection.readRequest() != nil else { return }
            connection.write(httpResponse("second"))
        }
        defer { server.stop() }
        let client = client(server)
        let response = try await client.send(Self.request("GET", "responses/r1"))
        #expect(response.status == 200)
        var pieces: [String] = []
        for await chunk in response.body {
            guard case .data(let data) = chunk else {
                Issue.record("unexpected \(chunk)")
                break
            }
            pieces.append(String(decoding: data, as: UTF8.self))
        }
        #expect(pieces.joined() == "hello world")
        #expect(pieces.count >= 2, "the first chunk arrives before the second was sent")
        let (_, _, body) = try await client.exchange(Self.request("GET", "responses/r1"))
        #expect(String(decoding: body, as: UTF8.self) == "second")
        #expect(server.acceptedCount == 1)
    }

    @Test func aKeptAliveConnectionTheServerClosedIsReplacedForAPost() async throws {
        let server = try ScriptedHTTPServer { connection in
            while let _ = connection.readRequest() {
                connection.write(httpResponse("{}"))
                if connection.index == 0 { return }  // the first connection closes after one response
            }
        }
        defer { server.stop() }
        let client = client(server)
        _ = try await client.exchange(Self.request("POST", "threads", body: "{}"))
        try await Task.sleep(for: .milliseconds(200))  // the server's FIN reaches the idle connection
        let (status, _, _) = try await client.exchange(Self.request("POST", "threads", body: "{}"))
        #expect(status == 200)
        #expect(server.acceptedCount == 2)
    }

    @Test(arguments: [("GET", true), ("POST", false)])
    func aRequestLostOnAClosingConnectionIsResentOnlyWhenIdempotent(_ method: String, _ resent: Bool) async throws {
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write(httpResponse("{}"))
            if connection.index == 0 {
                _ = connection.readRequest()  // read the second request, then close without answering
                return
            }
            while connection.readRequest() != nil { connection.write(httpResponse("{}")) }
        }
        defer { server.stop() }
        let client = client(server)
        _ = try await client.exchange(Self.request(method, "threads/t/runs/r", body: method == "POST" ? "{}" : nil))
        do {
            let (status, _, _) = try await client.exchange(Self.request(method, "threads/t/runs/r", body: method == "POST" ? "{}" : nil))
            #expect(resent, "a \(method) the server may have acted on must not be sent again")
            #expect(status == 200)
            #expect(server.acceptedCount == 2)
        } catch {
            #expect(!resent, "an idempotent request is resent once on a fresh connection: \(error)")
            guard case .connectionFailed(let text) = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
            #expect(text.contains("closed the connection without a response"))
            #expect(server.acceptedCount == 1)
        }
    }

    @Test func cancellingTheBodyClosesTheConnection() async throws {
        let sawClose = Mutex<Bool?>(nil)
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
            let closed = connection.waitForClientClose()
            sawClose.withLock { $0 = closed }
        }
        defer { server.stop() }
        let client = client(server)
        let response = try await client.send(Self.request("GET", "responses/r"))
        var iterator = response.body.makeAsyncIterator()
        let first = await iterator.next()
        guard case .data(let data) = first else {
            Issue.record("expected data, got \(String(describing: first))")
            return
        }
        #expect(String(decoding: data, as: UTF8.self) == "abc")
        response.cancel()
        #expect(await Self.eventually { sawClose.withLock { $0 } != nil })
        #expect(sawClose.withLock { $0 } == true, "the server saw the connection close")
    }

    @Test func cancellingTheTaskBeforeTheHeadClosesTheConnection() async throws {
        let sawClose = Mutex<Bool?>(nil)
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            let closed = connection.waitForClientClose()  // never answers
            sawClose.withLock { $0 = closed }
        }
        defer { server.stop() }
        let client = client(server)
        let task = Task { () async -> Result<Int, UpstreamError> in
            do throws(UpstreamError) {
                return .success(try await client.send(Self.request("GET", "responses/r")).status)
            } catch {
                return .failure(error)
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.value
        guard case .failure(.connectionFailed(let text)) = result else {
            Issue.record("expected a cancelled connectionFailed, got \(result)")
            return
        }
        #expect(text.contains("cancelled"))
        #expect(await Self.eventually { sawClose.withLock { $0 } != nil })
        #expect(sawClose.withLock { $0 } == true)
    }

    @Test func connectionRefusedIsAConnectionFailure() async throws {
        let server = try ScriptedHTTPServer { _ in }
        server.stop()
        let client = client(server)
        do {
            _ = try await client.send(Self.request("GET", "responses/r"))
            Issue.record("expected a failure")
        } catch {
            #expect(error == .connectionFailed("could not connect to 127.0.0.1:\(server.port) (connection refused)"))
            #expect(error.httpStatus == 502)
        }
    }

    @Test func silenceBetweenChunksEndsTheBodyWithATimeout() async throws {
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
            _ = connection.waitForClientClose()
        }
        defer { server.stop() }
        let client = client(server) { $0.idleTimeout = .milliseconds(300) }
        let response = try await client.send(Self.request("GET", "responses/r"))
        do {
            _ = try await response.collect(limit: 1024)
            Issue.record("expected a timeout")
        } catch {
            guard case .timeout = error else {
                Issue.record("expected timeout, got \(error)")
                return
            }
        }
    }

    @Test func malformedFramingIsRefused() async throws {
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n")
            _ = connection.waitForClientClose()
        }
        defer { server.stop() }
        do {
            _ = try await client(server).send(Self.request("GET", "responses/r"))
            Issue.record("expected a failure")
        } catch {
            guard case .malformed(let text) = error else {
                Issue.record("expected malformed, got \(error)")
                return
            }
            #expect(text.contains("both Content-Length and Transfer-Encoding"))
        }
    }

    @Test func atTheConnectionLimitRequestsWaitForAConnectionToComeBack() async throws {
        let server = try ScriptedHTTPServer { connection in
            while connection.readRequest() != nil {
                Thread.sleep(forTimeInterval: 0.05)
                connection.write(httpResponse("{}"))
            }
        }
        defer { server.stop() }
        let client = client(server) { $0.maxConnections = 1 }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<4 {
                group.addTask { try await client.exchange(Self.request("GET", "responses/r\(index)")).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [200, 200, 200, 200])
        #expect(server.acceptedCount == 1)
    }
}
