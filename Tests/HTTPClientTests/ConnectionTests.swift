// The HTTP client against a scripted loopback server: reuse, framing, dead kept-alive connections,
// cancellation, failures, the connection bound and backpressure.
import Foundation
import HTTPClient
import Synchronization
import Testing
import TestSupport

@Suite struct ConnectionTests {
    @Test func sequentialRequestsReuseOneKeptAliveConnection() async throws {
        let requests = RequestLog()
        let server = try ScriptedHTTPServer.answering(
            httpResponse("{\"ok\":true}", headers: "x-ratelimit-remaining-requests: 7\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"), log: requests)
        defer { server.stop() }
        let client = makeClient()
        for index in 0..<5 {
            let (status, headers, body) = try await exchange(client, request("POST", "threads/t\(index)/runs", base: server.baseURL, body: "{\"i\":\(index)}"))
            #expect(status == 200)
            #expect(headers["content-type"] == "application/json")
            #expect(headers.values(for: "set-cookie") == ["a=1", "b=2"], "headers stay an ordered multi-map")
            #expect(body == "{\"ok\":true}")
        }
        #expect(server.acceptedCount == 1)
        let first = try #require(requests.all.first)
        #expect(first.hasPrefix("POST /v1/threads/t0/runs HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(first.contains("\r\nAuthorization: Bearer sk-test\r\n"))
        #expect(first.contains("\r\nContent-Length: 7\r\n"))
        #expect(first.contains("\r\nConnection: keep-alive\r\n"))
        #expect(first.hasSuffix("\r\n\r\n{\"i\":0}"))
    }

    /// A chunked "hello world" in two pieces 100 ms apart, then "second" on the same connection.
    static func twoChunksThenSecondServer() throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            Thread.sleep(forTimeInterval: 0.1)
            connection.write("6\r\n world\r\n0\r\n\r\n")
            guard connection.readRequest() != nil else { return }
            connection.write(httpResponse("second"))
        }
    }

    @Test func chunkedAndContentLengthBodiesStreamInAsTheyArrive() async throws {
        let server = try Self.twoChunksThenSecondServer()
        defer { server.stop() }
        let client = makeClient()
        let response = try await client.execute(request("GET", "responses/r1", base: server.baseURL))
        #expect(response.status == 200)
        var pieces: [String] = []
        for try await chunk in response.body {
            pieces.append(String(decoding: chunk, as: UTF8.self))
        }
        #expect(pieces.joined() == "hello world")
        #expect(pieces.count >= 2, "the first chunk arrives before the second was sent")
        let (_, _, body) = try await exchange(client, request("GET", "responses/r1", base: server.baseURL))
        #expect(body == "second")
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
        let client = makeClient()
        _ = try await exchange(client, request("POST", "threads", base: server.baseURL, body: "{}"))
        // The server has closed it: the client's check of an idle connection sees the FIN.
        #expect(await eventually { server.closedCount == 1 })
        let (status, _, _) = try await exchange(client, request("POST", "threads", base: server.baseURL, body: "{}"))
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
        let client = makeClient()
        let body = method == "POST" ? "{}" : nil
        _ = try await exchange(client, request(method, "threads/t/runs/r", base: server.baseURL, body: body))
        do {
            let (status, _, _) = try await exchange(client, request(method, "threads/t/runs/r", base: server.baseURL, body: body))
            #expect(resent, "a \(method) the server may have acted on must not be sent again")
            #expect(status == 200)
            #expect(server.acceptedCount == 2)
        } catch let error as HTTPClientError {
            #expect(!resent, "an idempotent request is resent once on a fresh connection: \(error)")
            guard case .connectionFailed(let text) = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
            #expect(text.contains("closed the connection without a response"))
            #expect(server.acceptedCount == 1)
        }
    }

    /// Whether the server saw the client close the connection (nil until it knows).
    final class CloseSeen: Sendable {
        private let seen = Mutex<Bool?>(nil)
        var value: Bool? { seen.withLock { $0 } }
        func record(_ closed: Bool) { seen.withLock { $0 = closed } }
    }

    /// A server that starts a chunked body, then records whether the client closed the connection.
    static func closeWatchingServer() throws -> (ScriptedHTTPServer, CloseSeen) {
        let sawClose = CloseSeen()
        let server = try ScriptedHTTPServer.writingOnce("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n") { sawClose.record($0) }
        return (server, sawClose)
    }

    @Test func cancellingTheBodyClosesTheConnection() async throws {
        let (server, sawClose) = try Self.closeWatchingServer()
        defer { server.stop() }
        let client = makeClient()
        let response = try await client.execute(request("GET", "responses/r", base: server.baseURL))
        var iterator = response.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == "abc")
        response.cancel()
        #expect(await eventually { sawClose.value != nil })
        #expect(sawClose.value == true, "the server saw the connection close")
    }

    @Test func droppingAnUnreadBodyClosesTheConnection() async throws {
        let (server, sawClose) = try Self.closeWatchingServer()
        defer { server.stop() }
        let client = makeClient()
        do {
            let response = try await client.execute(request("GET", "responses/r", base: server.baseURL))
            #expect(response.status == 200)
        }
        #expect(await eventually { sawClose.value != nil })
        #expect(sawClose.value == true)
    }

    @Test func cancellingTheTaskBeforeTheHeadClosesTheConnection() async throws {
        let sawClose = Mutex<Bool?>(nil)
        let sawRequest = Atomic<Bool>(false)
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            sawRequest.store(true, ordering: .releasing)
            let closed = connection.waitForClientClose()  // never answers
            sawClose.withLock { $0 = closed }
        }
        defer { server.stop() }
        let client = makeClient()
        let target = try request("GET", "responses/r", base: server.baseURL)
        let task = Task { () async -> Result<Int, HTTPClientError> in
            do throws(HTTPClientError) {
                return .success(try await client.execute(target).status)
            } catch {
                return .failure(error)
            }
        }
        #expect(await eventually { sawRequest.load(ordering: .acquiring) })
        task.cancel()
        let result = await task.value
        guard case .failure(.connectionFailed(let text)) = result else {
            Issue.record("expected a cancelled connectionFailed, got \(result)")
            return
        }
        #expect(text.contains("cancelled"))
        #expect(await eventually { sawClose.withLock { $0 } != nil })
        #expect(sawClose.withLock { $0 } == true)
    }

    @Test func connectionRefusedIsAConnectionFailure() async throws {
        let server = try ScriptedHTTPServer { _ in }
        server.stop()
        let error = await failure(makeClient(), try request("GET", "responses/r", base: server.baseURL))
        #expect(error == .connectionFailed("could not connect to 127.0.0.1:\(server.port) (connection refused)"))
    }

    @Test func silenceBetweenChunksEndsTheBodyWithATimeout() async throws {
        let server = try ScriptedHTTPServer.writingOnce("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        defer { server.stop() }
        let client = makeClient { $0.idleTimeout = .milliseconds(300) }
        let response = try await client.execute(request("GET", "responses/r", base: server.baseURL))
        do {
            _ = try await response.body.collect(upTo: 1024)
            Issue.record("expected a timeout")
        } catch {
            guard case .timeout = error else {
                Issue.record("expected timeout, got \(error)")
                return
            }
        }
    }

    @Test func aServerThatNeverAnswersTimesOutAfterTheFirstByteTimeout() async throws {
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            _ = connection.waitForClientClose()
        }
        defer { server.stop() }
        let error = await failure(makeClient { $0.firstByteTimeout = .milliseconds(300) }, try request("GET", "r", base: server.baseURL))
        guard case .timeout(let text)? = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(text.contains("no response from 127.0.0.1:\(server.port)"))
    }

    @Test func aServerThatNeverCompletesTheTLSHandshakeTimesOutAfterTheConnectTimeout() async throws {
        let server = try ScriptedHTTPServer { connection in _ = connection.waitForClientClose() }
        defer { server.stop() }
        let url = URL(string: "https://127.0.0.1:\(server.port)/v1")!
        let error = await failure(makeClient { $0.connectTimeout = .milliseconds(300) }, try request("GET", "r", base: url))
        guard case .timeout(let text)? = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(text.contains("TLS handshake"))
    }

    @Test func malformedFramingIsRefused() async throws {
        let server = try ScriptedHTTPServer.writingOnce("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n")
        defer { server.stop() }
        let error = await failure(makeClient(), try request("GET", "responses/r", base: server.baseURL))
        guard case .malformedResponse(let text)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(text.contains("both Content-Length and Transfer-Encoding"))
    }

    @Test func atTheConnectionLimitRequestsWaitForAConnectionToComeBack() async throws {
        let server = try ScriptedHTTPServer { connection in
            while connection.readRequest() != nil {
                Thread.sleep(forTimeInterval: 0.05)
                connection.write(httpResponse("{}"))
            }
        }
        defer { server.stop() }
        // The wait for a free connection is bounded by the connect timeout: `patience` here, so a
        // loaded machine makes the test slower, not red.
        let client = makeClient { $0.maxConnectionsPerOrigin = 1; $0.connectTimeout = patience }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<4 {
                let target = try request("GET", "responses/r\(index)", base: server.baseURL)
                group.addTask { try await exchange(client, target).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [200, 200, 200, 200])
        #expect(server.acceptedCount == 1)
    }

    @Test func aReaderThatFallsBehindStopsTheClientReadingTheSocket() async throws {
        let total = 1 << 30  // more than any socket buffer: the server can only finish if the client reads it all
        let written = Atomic<Int>(0)
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n")
            let block = [UInt8](repeating: 0x61, count: 64 * 1024)
            while written.load(ordering: .acquiring) < total {
                let n = block.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { return }
                written.add(n, ordering: .releasing)
            }
        }
        defer { server.stop() }
        let client = makeClient()
        let response = try await client.execute(request("GET", "big", base: server.baseURL))
        // Nobody reads: once the client's buffer and the socket buffers are full, the server is stuck.
        let stalled = try #require(await eventuallyStalls { written.load(ordering: .acquiring) }, "the server stopped making progress")
        #expect(stalled < 64 << 20, "the client holds back at its watermark (server wrote \(stalled) bytes)")
        // Reading again lets the server go on.
        var received = 0
        for try await chunk in response.body {
            received += chunk.count
            if received > stalled + (8 << 20) { break }
        }
        #expect(written.load(ordering: .acquiring) > stalled)
        response.cancel()
    }
}
