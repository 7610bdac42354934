// A body read by callback (Body.deliver(to:)): chunks in order on the connection's loop, what arrived
// before the sink was installed first, exactly one end, cancellation, and reuse of the connection.
import Foundation
import HTTPClient
import Synchronization
import Testing
import TestSupport

@Suite struct BodySinkTests {
    /// What a sink saw, in order.
    final class SinkLog: Sendable {
        private let parts = Mutex<[String]>([])
        var all: [String] { parts.withLock { $0 } }
        var ended: Bool { all.last?.hasPrefix("end") == true }
        func record(_ part: HTTPClientResponse.BodyPart) {
            let text: String
            switch part {
            case .bytes(let bytes): text = String(decoding: bytes, as: UTF8.self)
            case .end(nil): text = "end"
            case .end(let error?): text = "end: \(error)"
            }
            parts.withLock { $0.append(text) }
        }
    }

    @Test func chunksArriveInOrderThenOneCleanEndAndTheConnectionIsReused() async throws {
        let server = try ConnectionTests.twoChunksThenSecondServer()
        defer { server.stop() }
        let client = makeClient()
        let response = try await client.execute(request("GET", "responses/r1", base: server.baseURL))
        let log = SinkLog()
        response.body.deliver { log.record($0) }
        #expect(await eventually { log.ended })
        #expect(log.all.last == "end")
        #expect(log.all.dropLast().joined() == "hello world")
        #expect(log.all.filter { $0.hasPrefix("end") }.count == 1)
        let (_, _, body) = try await exchange(client, request("GET", "responses/r1", base: server.baseURL))
        #expect(body == "second")
        #expect(server.acceptedCount == 1, "a body read by a sink leaves the connection reusable")
    }

    @Test func whatArrivedBeforeTheSinkComesFirst() async throws {
        let server = try ScriptedHTTPServer.answering(httpResponse("all of it"))
        defer { server.stop() }
        let client = makeClient()
        // The server writes head and body at once, so they arrive in one read: the connection hands
        // over the head, then buffers the body and its end in the same loop turn, before this task resumes.
        let response = try await client.execute(request("GET", "responses/r", base: server.baseURL))
        let log = SinkLog()
        response.body.deliver { log.record($0) }
        #expect(await eventually { log.ended })
        #expect(log.all == ["all of it", "end"])
    }

    @Test func cancellingEndsTheSinkWithAFailureAndClosesTheConnection() async throws {
        let (server, sawClose) = try ConnectionTests.closeWatchingServer()
        defer { server.stop() }
        let client = makeClient()
        let response = try await client.execute(request("GET", "responses/r", base: server.baseURL))
        let log = SinkLog()
        let cancelled = Atomic<Bool>(false)
        response.body.deliver { part in
            log.record(part)
            // The sink cancels what it reads (a reader that gives up on bad data does this).
            if case .bytes = part, !cancelled.exchange(true, ordering: .relaxed) { response.cancel() }
        }
        #expect(await eventually { log.ended })
        #expect(log.all.first == "abc")
        #expect(log.all.last?.contains("cancelled") == true)
        #expect(log.all.filter { $0.hasPrefix("end") }.count == 1)
        #expect(await eventually { sawClose.value != nil })
        #expect(sawClose.value == true)
    }

    @Test func aBodyCutShortEndsTheSinkWithTheFailure() async throws {
        let server = try ScriptedHTTPServer { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
        }
        defer { server.stop() }
        let client = makeClient()
        let response = try await client.execute(request("GET", "responses/r", base: server.baseURL))
        let log = SinkLog()
        response.body.deliver { log.record($0) }
        #expect(await eventually { log.ended })
        #expect(log.all.first == "only this")
        #expect(log.all.last?.contains("before the body was complete") == true)
    }
}
