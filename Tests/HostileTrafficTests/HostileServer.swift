// A real HTTPServer on a free port with handlers that record what reached them, and the checks
// every hostile-traffic test ends with.
import Foundation
import HTTPServer
import HTTPWire
import Synchronization
import Telemetry
import Testing
import TestSupport

/// What reached the handler.
final class HandlerLog: Sendable {
    private let paths = Mutex<[String]>([])
    let streamBytesWritten = Atomic<Int>(0)
    let streamsDisconnected = Atomic<Int>(0)

    func record(_ path: String) { paths.withLock { $0.append(path) } }
    var seenPaths: [String] { paths.withLock { $0 } }
}

enum HostileServer {
    /// Short timeouts so a whole attack plays out in a second or two.
    static func configuration(_ adjust: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.headerTimeout = .milliseconds(800)
        configuration.bodyTimeout = .milliseconds(800)
        configuration.idleTimeout = .seconds(5)
        configuration.writeTimeout = .seconds(1)
        configuration.maxBodyBytes = 64 * 1024
        adjust(&configuration)
        return configuration
    }

    /// `/health`, `POST /echo` (answers the body length), `/stream` (16 KiB chunks until the client goes).
    static func handler(_ log: HandlerLog) -> HTTPHandler {
        { request, _ in
            log.record(request.path)
            switch request.path {
            case "/health":
                return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: .bytes(Array(#"{"status":"healthy"}"#.utf8)))
            case "/echo":
                return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: .bytes(Array("\(request.body.count)".utf8)))
            case "/stream":
                return HTTPResponse(status: 200, headers: ["Content-Type": "text/event-stream"], body: .stream { writer in
                    let chunk = SSEEncoder.event("content", data: String(repeating: "x", count: 16 * 1024))
                    do {
                        while true {
                            try await writer.write(chunk)
                            log.streamBytesWritten.wrappingAdd(chunk.count, ordering: .relaxed)
                        }
                    } catch {
                        log.streamsDisconnected.wrappingAdd(1, ordering: .relaxed)
                        throw error
                    }
                })
            default:
                return HTTPResponse(status: 404)
            }
        }
    }

    /// Runs `body` against a fresh server and handler log.
    static func with(
        configuration: HTTPServerConfiguration = configuration(),
        _ body: (HTTPServer, HandlerLog) async throws -> Void
    ) async throws {
        let log = HandlerLog()
        try await withRunningServer(configuration: configuration, handler: handler(log)) { server in
            try await body(server, log)
        }
    }

    /// A normal request on a new connection is answered. How fast is not asserted on the wall clock
    /// (every suite may be running at once on two cores); the attack tests check instead that it is
    /// answered while the hostile connections are still held.
    static func expectServed(port: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await sendRequest(port: port, path: "/health", timeout: patience)
        #expect(response.status == 200, sourceLocation: sourceLocation)
    }

    /// Waits until the server holds at most `count` connections; returns the last count seen.
    static func waitForConnections(_ server: HTTPServer, atMost count: Int) async -> Int {
        _ = await eventually { server.openConnections <= count }
        return server.openConnections
    }
}
