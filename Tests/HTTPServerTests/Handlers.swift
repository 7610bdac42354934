// Handlers shared by the server tests.
import HTTPServer
import HTTPWire
import Synchronization
import TestSupport

enum Handlers {
    /// Echoes method, path and body as text; `X-Request-Id` is left to the server.
    static let echo: HTTPHandler = { request, context in
        HTTPResponse(
            status: 200,
            headers: ["Content-Type": "text/plain", "X-Seen-Id": context.requestId],
            body: .bytes(Array("\(request.method) \(request.target) \(String(decoding: request.body, as: UTF8.self))".utf8))
        )
    }

    /// Small JSON like a health endpoint.
    static let health: HTTPHandler = { _, _ in
        HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: .bytes(Array(#"{"status":"healthy"}"#.utf8)))
    }
}

/// Long timeouts by default: only the timeout a test is about should be short.
func testConfiguration(_ adjust: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
    var configuration = HTTPServerConfiguration()
    configuration.headerTimeout = .seconds(30)
    configuration.bodyTimeout = .seconds(30)
    configuration.idleTimeout = .seconds(60)
    configuration.writeTimeout = .seconds(30)
    adjust(&configuration)
    return configuration
}

/// Records the first error a handler saw, and when; or when its task was cancelled (recorded in
/// the cancellation handler, which runs on the cancelling thread: the server's queue).
final class TestOutcome: Sendable {
    private let state = Mutex<(error: (any Error)?, at: ContinuousClock.Instant?)>((nil, nil))
    private let latch = TestLatch()

    func record(_ error: any Error) {
        state.withLock { if $0.error == nil { $0 = (error, .now) } }
        latch.open()
    }

    var error: (any Error)? { state.withLock { $0.error } }
    var recordedAt: ContinuousClock.Instant? { state.withLock { $0.at } }

    func wait() async -> Bool { await latch.wait() }

    /// Runs `body`; a cancellation of the current task is recorded the moment it is requested.
    func recordingCancellation<T>(_ body: () async throws -> T) async rethrows -> T {
        try await withTaskCancellationHandler(operation: body, onCancel: { self.record(CancellationError()) })
    }
}
