// Every error status the server produces itself, and request-smuggling attempts (RFC 9112).
import HTTPServer
import HTTPWire
import Testing
import Telemetry
import TestSupport

@Suite struct ProtocolErrorTests {
    /// Ambiguous or malformed framing: each must get 400 and a closed connection, and the server
    /// must keep serving afterwards.
    static let smugglingAttempts: [(String, String)] = [
        ("CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("TE and CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"),
        ("duplicate equal CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
        ("different CLs", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"),
        ("CL list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc"),
        ("signed CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc"),
        ("negative CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
        ("TE not chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
        ("TE chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
        ("TE split, chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n"),
        ("TE chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
        ("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n"),
        ("space before colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
        ("bare LF", "GET / HTTP/1.1\nHost: a\n\n"),
        ("bare CR", "GET / HTTP/1.1\r\nHost: a\rTransfer-Encoding: chunked\r\n\r\n"),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ("chunk size overflow", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"),
        ("chunk without CRLF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n"),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n"),
        ("bad method token", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("bad request line", "GET /\r\nHost: a\r\n\r\n"),
        ("bad version", "GET / HTTX/1.1\r\nHost: a\r\n\r\n"),
        ("control char in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n"),
    ]

    @Test(arguments: smugglingAttempts)
    func ambiguousFramingIsRejectedWith400AndClose(_ name: String, _ raw: String) async throws {
        try await withTestServer(handler: Handlers.echo) { port in
            try await expectRejected(raw, status: 400, code: "bad_request", port: port)
            // The server is still up and serving.
            #expect(try await sendRequest(port: port, path: "/after").status == 200)
        }
    }

    @Test func bodyOverLimitByContentLengthIs413BeforeTheBodyIsSent() async throws {
        let configuration = testConfiguration { $0.maxBodyBytes = 1000 }
        try await withTestServer(configuration: configuration, handler: Handlers.echo) { port in
            // Only the head is sent: the answer must not wait for 10 MB that never come.
            try await expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n", status: 413, code: "payload_too_large", port: port)
            let atLimit = try await sendRequest(port: port, method: "POST", path: "/", body: [UInt8](repeating: 65, count: 1000))
            #expect(atLimit.status == 200)
        }
    }

    @Test func chunkedBodyOverLimitIs413() async throws {
        let configuration = testConfiguration { $0.maxBodyBytes = 1000 }
        try await withTestServer(configuration: configuration, handler: Handlers.echo) { port in
            let chunk = String(repeating: "x", count: 600)
            let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
            try await expectRejected(raw, status: 413, code: "payload_too_large", port: port)
        }
    }

    @Test func headerSectionOverLimitIs431() async throws {
        try await withTestServer(configuration: testConfiguration { $0.maxHeaderBytes = 4096 }, handler: Handlers.echo) { port in
            let raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "b", count: 8000))\r\n\r\n"
            try await expectRejected(raw, status: 431, code: "header_too_large", port: port)
        }
    }

    @Test func unsupportedVersionIs505AndUnknownCodingIs501() async throws {
        try await withTestServer(handler: Handlers.echo) { port in
            try await expectRejected("GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505, code: "http_version_not_supported", port: port)
            try await expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501, code: "not_implemented", port: port)
        }
    }

    @Test func pipelinedRequestAfterABadOneIsNeverServed() async throws {
        try await withTestServer(handler: Handlers.echo) { port in
            let connection = try TestConnection(port: port)
            try await connection.send("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n")
            let all = String(decoding: try await connection.readUntilClose(timeout: patience), as: UTF8.self)
            #expect(all.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(!all.contains("/smuggled"))
            #expect(all.components(separatedBy: "HTTP/1.1 ").count == 2)
        }
    }

    @Test func protocolErrorsAreLoggedAsOneWarningLine() async throws {
        let sink = MemoryLogSink()
        let logger = Logger(label: "http", level: .info, sink: sink)
        try await withTestServer(logger: logger, handler: Handlers.echo) { port in
            try await expectRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400, code: "bad_request", port: port)
            #expect(try await sendRequest(port: port, path: "/ok").status == 200)
        }
        let warnings = sink.records.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata.contains { $0 == ("status", "400") } == true)
        // No per-request info lines from the server (only the one "listening" line).
        #expect(sink.records.filter { $0.level == .info }.map(\.message) == ["listening"])
    }
}
