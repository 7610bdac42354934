// Handlers shared by the server tests.
import HTTPServer
import HTTPWire

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
