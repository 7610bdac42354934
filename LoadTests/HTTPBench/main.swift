// http-bench-server: the HTTP server alone, answering GET /health, for wrk measurements.
//   swift run -c release http-bench-server [port]     (port 0 picks one; it is printed)
import Dispatch
import HTTPServer
import HTTPWire
import Telemetry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count <= 1, let port = Int(arguments.first ?? "8081"), (0...65535).contains(port) else {
    FileHandleOutput.line(2, "usage: http-bench-server [port 0...65535]")
    exit(2)
}

var configuration = HTTPServerConfiguration()
configuration.port = port
let logger = Logger(label: "http-bench", level: .notice, sink: StreamLogSink())
let health = Array(#"{"status":"healthy"}"#.utf8)
let server = HTTPServer(configuration: configuration, logger: logger) { request, _ in
    guard request.path == "/health" else {
        return HTTPResponse(status: 404, headers: ["Content-Type": "application/json"],
                            body: .bytes(Array(#"{"error":{"code":"not_found","message":"no such route"}}"#.utf8)))
    }
    return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: .bytes(health))
}

do {
    try server.start()
} catch {
    FileHandleOutput.line(2, "http-bench-server: \(error)")
    exit(1)
}
FileHandleOutput.line(1, "listening on 127.0.0.1:\(server.port) pid \(getpid())")

// Wait for SIGINT/SIGTERM, then shut down gracefully and exit 0.
let stop = DispatchSemaphoreBox()
let signalQueue = DispatchQueue(label: "http-bench.signals")
let signalSources = [SIGINT, SIGTERM].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
    source.setEventHandler { @Sendable in stop.signal() }
    source.resume()
    return source
}
await stop.wait()
await server.shutdownGracefully(deadline: .seconds(5))
withExtendedLifetime(signalSources) {}
exit(0)

/// Resumes one waiter when signalled.
final class DispatchSemaphoreBox: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func signal() { semaphore.signal() }
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.semaphore.wait()
                continuation.resume()
            }
        }
    }
}

/// Unbuffered line output (so a script reading stdout sees the port at once).
enum FileHandleOutput {
    static func line(_ fd: Int32, _ text: String) {
        var bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
