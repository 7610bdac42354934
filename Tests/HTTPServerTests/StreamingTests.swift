// Streamed (chunked) responses: immediate flushes, order, SSE framing.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct StreamingTests {
    @Test func eachWriteReachesTheClientBeforeTheNextOneIsMade() async throws {
        let firstReceived = TestLatch()
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, headers: ["Content-Type": "text/event-stream"], body: .stream { writer in
                try await writer.write(SSEEncoder.event("content", data: #"{"n":1}"#))
                // Only continue once the client has seen the first event: proves it was flushed.
                guard await firstReceived.wait() else { return }
                try await writer.write(SSEEncoder.event("content", data: #"{"n":2}"#))
            })
        }
        try await withTestServer(handler: handler) { port in
            let stream = try await openEventStream(port: port, method: "GET", path: "/events")
            #expect(stream.status == 200)
            #expect(stream.headers["Transfer-Encoding"] == "chunked")
            #expect(stream.headers["Content-Length"] == nil)
            let first = try await stream.nextEvent(timeout: patience)
            #expect(first == TestSSEEvent(event: "content", data: #"{"n":1}"#))
            firstReceived.open()
            let second = try await stream.nextEvent(timeout: patience)
            #expect(second == TestSSEEvent(event: "content", data: #"{"n":2}"#))
            #expect(try await stream.nextEvent(timeout: patience) == nil)
        }
    }
}
