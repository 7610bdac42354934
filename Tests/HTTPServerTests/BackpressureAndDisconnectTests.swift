// Streams against slow and vanishing clients: writes suspend, handlers are cancelled promptly.
import HTTPServer
import HTTPWire
import Synchronization
import Testing
import TestSupport

@Suite struct BackpressureAndDisconnectTests {
    @Test func writerSuspendsWhileTheClientDoesNotReadAndResumesWhenItDoes() async throws {
        let written = Atomic<Int>(0)
        let insideWrite = Atomic<Bool>(false)
        let chunk = [UInt8](repeating: 0x62, count: 16 * 1024)
        let total = 16 * 1024 * 1024
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, body: .stream { writer in
                while written.load(ordering: .relaxed) < total {
                    insideWrite.store(true, ordering: .relaxed)
                    try await writer.write(chunk)
                    insideWrite.store(false, ordering: .relaxed)
                    written.add(chunk.count, ordering: .relaxed)
                }
            })
        }
        try await withTestServer(configuration: testConfiguration(), handler: handler) { port in
            let connection = try TestConnection(port: port, receiveBufferSize: 4096)
            try await connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            // Wait until the writer stops making progress while inside write().
            let last = try #require(await eventuallyStalls({ written.load(ordering: .relaxed) },
                                                           while: { insideWrite.load(ordering: .relaxed) }))
            // Kernel socket buffers plus the 64 KiB high watermark: far below the 16 MB the handler wants to write.
            #expect(last < 4 * 1024 * 1024, "writer got \(last) bytes out without a reader")
            #expect(last < total)
            let suspendedInWrite = insideWrite.load(ordering: .relaxed)
            #expect(suspendedInWrite, "the writer should be suspended in write()")
            // Reading drains it; the writer resumes and completes.
            let response = try await connection.readResponse(timeout: patience)
            #expect(response.body.count == total)
        }
    }

    @Test func clientDisconnectCancelsTheStreamingHandlerPromptly() async throws {
        let outcome = TestOutcome()
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, headers: ["Content-Type": "text/event-stream"], body: .stream { writer in
                try await writer.write(SSEEncoder.event("thread_info", data: "{}"))
                try await outcome.recordingCancellation { try await Task.sleep(for: .seconds(3_600)) }
            })
        }
        try await withTestServer(handler: handler) { port in
            let stream = try await openEventStream(port: port, method: "GET", path: "/")
            #expect(try await stream.nextEvent()?.event == "thread_info")
            stream.close()
            #expect(await outcome.wait())
            #expect(outcome.error is CancellationError)
            // The handler sleeps for an hour: only the server cancelling it on the client's
            // departure ends it within `patience`; no wall-clock bound on how fast.
        }
    }

    @Test func writeAfterDisconnectThrowsClientDisconnected() async throws {
        let outcome = TestOutcome()
        let handler: HTTPHandler = { _, _ in
            HTTPResponse(status: 200, body: .stream { writer in
                do {
                    while true {
                        try await writer.write(SSEEncoder.event("content", data: #"{"content":"x"}"#))
                    }
                } catch {
                    outcome.record(error)
                    throw error
                }
            })
        }
        try await withTestServer(handler: handler) { port in
            let stream = try await openEventStream(port: port, method: "GET", path: "/")
            #expect(try await stream.nextEvent()?.event == "content")
            stream.close()
            #expect(await outcome.wait())
            #expect(outcome.error is ClientDisconnected)
        }
    }

    @Test func clientDisconnectCancelsAHandlerThatHasNotAnsweredYet() async throws {
        let outcome = TestOutcome()
        let started = TestLatch()
        let handler: HTTPHandler = { _, _ in
            started.open()
            _ = try? await outcome.recordingCancellation { try await Task.sleep(for: .seconds(3_600)) }
            return HTTPResponse(status: 200)
        }
        try await withTestServer(handler: handler) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await started.wait())
            connection.close()
            #expect(await outcome.wait())
            #expect(outcome.error is CancellationError)
            // The handler sleeps for an hour: only the server cancelling it on the client's
            // departure ends it within `patience`; no wall-clock bound on how fast.
        }
    }
}
