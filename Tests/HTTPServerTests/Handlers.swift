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

/// Short timeouts so timeout tests run in well under a second.
func fastConfiguration(_ adjust: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
    var configuration = HTTPServerConfiguration()
    configuration.headerTimeout = .milliseconds(300)
    configuration.bodyTimeout = .milliseconds(300)
    configuration.idleTimeout = .seconds(5)
    configuration.writeTimeout = .seconds(2)
    adjust(&configuration)
    return configuration
}

/// Records the first error a handler saw, and when.
final class TestOutcome: Sendable {
    private let state = Mutex<(error: (any Error)?, at: ContinuousClock.Instant?)>((nil, nil))
    private let latch = TestLatch()

    func record(_ error: any Error) {
        state.withLock { if $0.error == nil { $0 = (error, .now) } }
        latch.open()
    }

    var error: (any Error)? { state.withLock { $0.error } }
    var recordedAt: ContinuousClock.Instant? { state.withLock { $0.at } }

    func wait(timeout: Duration) async -> Bool { await latch.wait(timeout: timeout) }
}
