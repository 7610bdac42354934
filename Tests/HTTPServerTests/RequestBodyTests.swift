// Request bodies over the wire: chunked, Expect: 100-continue, HEAD responses.
import HTTPServer
import HTTPWire
import Synchronization
import Testing
import TestSupport

@Suite struct RequestBodyTests {
    @Test func chunkedRequestBodyIsDechunkedForTheHandler() async throws {
        try await withTestServer(handler: Handlers.echo) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
            try await connection.send("4;ext=1\r\nWiki\r\n")
            try await connection.send("5\r\npedia\r\n0\r\nX-Trailer: dropped\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.text == "POST /c Wikipedia")
        }
    }

    @Test func expectContinueGets100BeforeTheBodyIsSent() async throws {
        try await withTestServer(handler: Handlers.echo) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try await connection.readResponse(timeout: patience)
            #expect(interim.status == 100)
            #expect(interim.head.reason == "Continue")
            try await connection.send("hello")
            let final = try await connection.readResponse()
            #expect(final.status == 200)
            #expect(final.text == "POST /e hello")
        }
    }

    @Test func expectContinueOverLimitGets413Instead() async throws {
        try await withTestServer(configuration: testConfiguration { $0.maxBodyBytes = 10 }, handler: Handlers.echo) { port in
            try await expectRejected("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n",
                                     status: 413, code: "payload_too_large", port: port)
        }
    }

    @Test func headGetsHeadersWithContentLengthButNoBody() async throws {
        try await withTestServer(handler: Handlers.health) { port in
            let connection = try TestConnection(port: port)
            // HEAD then GET pipelined: if HEAD leaked a body, the GET response would be garbled.
            try await connection.send("HEAD /health HTTP/1.1\r\nHost: a\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n")
            let head = try await connection.readResponse(forHEAD: true)
            let get = try await connection.readResponse()
            #expect(head.status == 200)
            #expect(head.headers["Content-Length"] == "20")
            #expect(head.body.isEmpty)
            #expect(get.text == #"{"status":"healthy"}"#)
        }
    }

    @Test func headOnAStreamDoesNotRunTheProducer() async throws {
        let producerRuns = Atomic<Int>(0)
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, body: .stream { writer in
                producerRuns.add(1, ordering: .relaxed)
                try await writer.write(Array("x".utf8))
            })
        }
        try await withTestServer(handler: handler) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let head = try await connection.readResponse(forHEAD: true)
            #expect(head.headers["Transfer-Encoding"] == "chunked")
            #expect(try await connection.readResponse().text == "x")
            #expect(producerRuns.load(ordering: .relaxed) == 1) // For the GET only.
        }
    }
}
