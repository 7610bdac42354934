// Requests and responses over real loopback sockets: keep-alive, headers, HEAD, pipelining, bodies.
import Foundation
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct BasicServingTests {
    @Test func getReturnsBodyWithServerDateAndRequestIdHeaders() async throws {
        try await withTestServer(handler: Handlers.echo) { port in
            let response = try await sendRequest(port: port, path: "/hello?x=1")
            #expect(response.status == 200)
            #expect(response.head.reason == "OK")
            #expect(response.text == "GET /hello?x=1 ")
            #expect(response.headers["Server"] == "threadmeter")
            #expect(response.headers["Content-Length"] == "15")
            #expect(response.headers["Connection"] == "close")
            let date = try #require(response.headers["Date"])
            #expect(date.hasSuffix(" GMT") && date.utf8.count == 29)
            let requestId = try #require(response.headers["X-Request-Id"])
            #expect(!requestId.isEmpty)
            #expect(response.headers["X-Seen-Id"] == requestId)
        }
    }
}

@Suite struct KeepAliveAndPipeliningTests {
    @Test func keepAliveConnectionServesSeveralRequests() async throws {
        try await withRunningServer(handler: Handlers.echo) { server in
            let connection = try TestConnection(port: server.port)
            for i in 0..<5 {
                let response = try await connection.request(method: "POST", path: "/n/\(i)", body: Array("b\(i)".utf8))
                #expect(response.text == "POST /n/\(i) b\(i)")
                #expect(response.headers["Connection"] == nil)
            }
            #expect(server.openConnections == 1)
            connection.close()
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        // The first request is slow: the later ones must still wait their turn.
        let handler: HTTPHandler = { request, context in
            if request.target == "/slow" { try? await Task.sleep(for: .milliseconds(100)) }
            return await Handlers.echo(request, context)
        }
        try await withTestServer(handler: handler) { port in
            let connection = try TestConnection(port: port)
            var bytes: [UInt8] = []
            bytes += TestConnection.encodeRequest(method: "GET", path: "/slow", headers: [], body: [])
            bytes += TestConnection.encodeRequest(method: "POST", path: "/two", headers: [], body: Array("2".utf8))
            bytes += TestConnection.encodeRequest(method: "GET", path: "/three", headers: [("Connection", "close")], body: [])
            try await connection.send(bytes)
            let texts = [try await connection.readResponse(), try await connection.readResponse(), try await connection.readResponse()].map(\.text)
            #expect(texts == ["GET /slow ", "POST /two 2", "GET /three "])
            #expect(await connection.waitForClose(timeout: patience))
        }
    }

    @Test func http10ClosesUnlessKeepAliveRequested() async throws {
        try await withTestServer(handler: Handlers.health) { port in
            let plain = try TestConnection(port: port)
            try await plain.send("GET / HTTP/1.0\r\n\r\n")
            let first = try await plain.readResponse()
            #expect(first.headers["Connection"] == "close")
            #expect(await plain.waitForClose(timeout: patience))

            let kept = try TestConnection(port: port)
            try await kept.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try await kept.readResponse().headers["Connection"] == "keep-alive")
            #expect(try await kept.readResponse().status == 200)
        }
    }
}
