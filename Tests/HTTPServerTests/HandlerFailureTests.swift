// Handlers that fail, lie or misbehave never take the server down.
import HTTPServer
import HTTPWire
import Testing
import Telemetry
import TestSupport

@Suite struct HandlerFailureTests {
    @Test func serverErrorStatusIsPassedThroughAndConnectionStaysUsable() async throws {
        let handler: HTTPHandler = { request, _ in
            request.target == "/fail"
                ? HTTPResponse(status: 503, headers: ["Content-Type": "application/json"], body: .bytes(Array(#"{"error":{"code":"x","message":"y"}}"#.utf8)))
                : HTTPResponse(status: 200, body: .bytes(Array("ok".utf8)))
        }
        try await withTestServer(handler: handler) { port in
            let connection = try TestConnection(port: port)
            let failed = try await connection.request(path: "/fail")
            #expect(failed.status == 503)
            #expect(failed.head.reason == "Service Unavailable")
            #expect(try await connection.request(path: "/ok").text == "ok")
        }
    }

    @Test func streamThatThrowsEndsWithoutTheLastChunkAndTheServerCarriesOn() async throws {
        struct Boom: Error {}
        let sink = MemoryLogSink()
        let handler: HTTPHandler = { request, _ in
            if request.target == "/ok" { return HTTPResponse(status: 200, body: .bytes(Array("ok".utf8))) }
            return HTTPResponse(status: 200, body: .stream { writer in
                try await writer.write(Array("partial".utf8))
                throw Boom()
            })
        }
        try await withTestServer(logger: Logger(label: "http", level: .warning, sink: sink), handler: handler) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n")
            _ = try await connection.readHead()
            #expect(try await connection.readChunk() == Array("partial".utf8))
            await #expect(throws: TestClientError.self) { _ = try await connection.readChunk() }
            #expect(try await sendRequest(port: port, path: "/ok").text == "ok")
        }
        #expect(sink.records.contains { $0.level == .warning && $0.message.contains("stream failed") })
    }

    @Test func headerFieldsWithLineBreaksAreDroppedNotSplit() async throws {
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, headers: ["X-Good": "1", "X-Evil": "a\r\nSet-Cookie: pwned=1"], body: .bytes([]))
        }
        try await withTestServer(handler: handler) { port in
            let response = try await sendRequest(port: port, path: "/")
            #expect(response.headers["X-Good"] == "1")
            #expect(response.headers["X-Evil"] == nil)
            #expect(response.headers["Set-Cookie"] == nil)
        }
    }

    @Test func anInvalidFieldIsDroppedAloneAndLogged() async throws {
        let sink = MemoryLogSink()
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, headers: HTTPHeaders([("X-Twice", "a\r\nSet-Cookie: pwned=1"), ("X-Twice", "fine")]), body: .bytes([]))
        }
        try await withTestServer(logger: Logger(label: "http", level: .warning, sink: sink), handler: handler) { port in
            let response = try await sendRequest(port: port, path: "/")
            #expect(response.headers.values(for: "X-Twice") == ["fine"], "the valid field of the same name is still sent")
            #expect(response.headers["Set-Cookie"] == nil)
        }
        #expect(sink.records.filter { $0.message == "dropped an invalid response header field" }.count == 1)
        #expect(sink.records.contains { $0.metadata.contains { $0 == ("name", "X-Twice") } })
    }

    @Test func serverOwnsFramingFieldsAndKeepsHandlerDateAndRequestId() async throws {
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, headers: [
                "Content-Length": "999", "Transfer-Encoding": "gzip", "Date": "custom", "X-Request-Id": "mine",
            ], body: .bytes(Array("four".utf8)))
        }
        try await withTestServer(handler: handler) { port in
            let response = try await sendRequest(port: port, path: "/")
            #expect(response.headers.values(for: "Content-Length") == ["4"])
            #expect(response.headers["Transfer-Encoding"] == nil)
            #expect(response.headers.values(for: "Date") == ["custom"])
            #expect(response.headers.values(for: "X-Request-Id") == ["mine"])
            #expect(response.text == "four")
        }
    }

    @Test func invalidStatusBecomes500() async throws {
        try await withTestServer(handler: { _, _ in HTTPResponse(status: 42) }) { port in
            let response = try await sendRequest(port: port, path: "/")
            #expect(response.status == 500)
            #expect(response.errorCode == "internal_error")
        }
    }

    @Test func noContentHasNoLengthOrBody() async throws {
        try await withTestServer(handler: { _, _ in HTTPResponse(status: 204, body: .bytes(Array("ignored".utf8))) }) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let first = try await connection.readResponse()
            #expect(first.status == 204)
            #expect(first.headers["Content-Length"] == nil)
            #expect(try await connection.readResponse().status == 204)
            #expect(try await connection.readUntilClose().isEmpty)
        }
    }
}
