// Request smuggling: every ambiguous framing is refused before the smuggled request can be read.
import Testing
import TestSupport

/// A request that would make the server see `GET /smuggled` if it framed the body the wrong way.
struct SmugglingAttempt: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: String
    var testDescription: String { name }

    static let smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"

    static let all: [SmugglingAttempt] = [
        // CL.TE: a front end using Content-Length forwards all; a back end using chunked stops at 0.
        .init(name: "CL.TE", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(5 + smuggled.utf8.count)\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\(smuggled)"),
        // TE.CL: the other way round.
        .init(name: "TE.CL", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n\(String(smuggled.utf8.count, radix: 16))\r\n\(smuggled)\r\n0\r\n\r\n"),
        .init(name: "TE.TE obfuscated coding", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n\(smuggled)"),
        .init(name: "TE with space before colon", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n\(smuggled)"),
        .init(name: "chunked not last", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n\(smuggled)"),
        .init(name: "TE in HTTP/1.0", bytes: "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\(smuggled)"),
        .init(name: "duplicate equal Content-Length", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc\(smuggled)"),
        .init(name: "duplicate different Content-Length", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: \(3 + smuggled.utf8.count)\r\n\r\nabc\(smuggled)"),
        .init(name: "Content-Length list", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc\(smuggled)"),
        .init(name: "signed Content-Length +", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc\(smuggled)"),
        .init(name: "negative Content-Length", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n\(smuggled)"),
        .init(name: "hex Content-Length", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc\(smuggled)"),
        .init(name: "obs-fold hides Transfer-Encoding", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nX-A: b\r\n Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n\(smuggled)"),
        .init(name: "obs-fold continues Content-Length", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n \(smuggled.utf8.count)\r\n\r\nabc\(smuggled)"),
        .init(name: "bare LF line ends", bytes: "POST /echo HTTP/1.1\nHost: x\nContent-Length: 3\n\nabc\(smuggled)"),
        .init(name: "bare CR in a field", bytes: "POST /echo HTTP/1.1\r\nHost: x\rContent-Length: 3\r\n\r\nabc\(smuggled)"),
        .init(name: "bare CR ends the request line", bytes: "POST /echo HTTP/1.1\rHost: x\r\nContent-Length: 3\r\n\r\nabc\(smuggled)"),
        .init(name: "chunk size overflow", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n\(smuggled)"),
        .init(name: "chunk data longer than its size", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n0\r\n\r\n\(smuggled)"),
        .init(name: "NUL in a field value", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\nContent-Length: 3\r\n\r\nabc\(smuggled)"),
        .init(name: "two Host fields", bytes: "POST /echo HTTP/1.1\r\nHost: x\r\nHost: y\r\nContent-Length: 3\r\n\r\nabc\(smuggled)"),
    ]
}

extension HostileTraffic {
    @Suite struct Smuggling {
        @Test(arguments: SmugglingAttempt.all)
        func ambiguousFramingIsRefusedAndTheSmuggledRequestNeverRuns(attempt: SmugglingAttempt) async throws {
            try await HostileServer.with { server, log in
                let reply = try await exchangeUntilClose(port: server.port, Array(attempt.bytes.utf8))
                let codes = statuses(in: reply)
                // One refusal (400; 501 for an unknown coding), then the connection is closed.
                #expect(codes.count == 1 && [400, 501].contains(codes.first ?? 0), "\(attempt.name): got \(codes) \(reply.prefix(200).debugDescription)")
                #expect(!log.seenPaths.contains("/smuggled"), "\(attempt.name): the smuggled request reached the handler")
                #expect(!log.seenPaths.contains("/echo"), "\(attempt.name): the ambiguous request reached the handler")
                try await HostileServer.expectServed(port: server.port)
            }
        }

        @Test func aCorrectlyFramedPipelineStillRunsEveryRequest() async throws {
            // The control case: the same bytes framed unambiguously are two requests.
            try await HostileServer.with { server, log in
                let bytes = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + SmugglingAttempt.smuggled
                    + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                let reply = try await exchangeUntilClose(port: server.port, Array(bytes.utf8))
                #expect(statuses(in: reply) == [200, 404, 200])
                #expect(log.seenPaths == ["/echo", "/smuggled", "/health"])
            }
        }
    }
}
