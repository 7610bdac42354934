// The response parser: framing of every kind, interim responses, refusals, and split invariance.
import Testing
@testable import HTTPWire

@Suite struct ResponseParserTests {
    /// What a parser made of a whole input: the head, all body bytes and whether it ended; or only the error.
    struct Transcript: Equatable, CustomStringConvertible {
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var ended = false
        var error: HTTPResponseParseError?

        var description: String {
            "head=\(head.map { "\($0.status) \($0.headers.fields.map { "\($0.name)=\($0.value)" })" } ?? "-") body=\(String(decoding: body, as: UTF8.self).debugDescription) ended=\(ended) error=\(error.map { "\($0)" } ?? "-")"
        }
    }

    /// Feeds `pieces` in order, then the end of the connection when `eof`.
    static func transcript(_ pieces: [[UInt8]], eof: Bool = true, requestWasHEAD: Bool = false) -> Transcript {
        var parser = HTTPResponseParser(maxHeadBytes: 1024, maxLineBytes: 64, requestWasHEAD: requestWasHEAD)
        var result = Transcript()
        func apply(_ events: [HTTPResponseParser.Event]) {
            for event in events {
                switch event {
                case .head(let head): result.head = head
                case .body(let bytes): result.body += bytes
                case .end: result.ended = true
                }
            }
        }
        do throws(HTTPResponseParseError) {
            for piece in pieces { apply(try parser.feed(piece)) }
            if eof { apply(try parser.finish()) }
        } catch {
            // Events of the failing piece are not returned, so a refusal is compared by its error alone.
            result = Transcript(error: error)
        }
        return result
    }

    static func whole(_ text: String, eof: Bool = true, requestWasHEAD: Bool = false) -> Transcript {
        transcript([Array(text.utf8)], eof: eof, requestWasHEAD: requestWasHEAD)
    }

    static let splitCases: [String] = [
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\nhello world",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer-A: 1\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a\n\ndata: b\n\n",
        "HTTP/1.1 204 No Content\r\nX-A: 1\r\nX-A: 2\r\n\r\n",
        // Refusals must come out identically however the bytes arrive.
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
        "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
        "HTTP/2.0 200 OK\r\n\r\n",
    ]

    @Test(arguments: splitCases)
    func everySplitOffsetGivesTheSameTranscript(_ input: String) {
        let bytes = Array(input.utf8)
        let reference = Self.transcript([bytes])
        #expect(reference.head != nil || reference.error != nil)
        for cut in 0...bytes.count {
            let split = Self.transcript([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(split == reference, "cut at \(cut): \(split) vs \(reference)")
        }
        let byteByByte = Self.transcript(bytes.map { [$0] })
        #expect(byteByByte == reference, "byte by byte: \(byteByByte)")
    }

    @Test func contentLengthBodyEndsWithoutTheConnectionClosing() {
        let result = Self.whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", eof: false)
        #expect(result.head?.status == 200)
        #expect(result.head?.reason == "OK")
        #expect(String(decoding: result.body, as: UTF8.self) == "hello")
        #expect(result.ended)
        #expect(result.head?.allowsKeepAlive == true)
    }

    @Test func chunkedBodyIsDecodedAndTrailersAreDropped() {
        let result = Self.whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n3;x=\"y\"\r\nabc\r\n0\r\nT: 1\r\n\r\n", eof: false)
        #expect(String(decoding: result.body, as: UTF8.self) == "0123456789abc")
        #expect(result.ended)
        #expect(result.error == nil)
    }

    @Test func aBodyWithoutLengthRunsUntilTheConnectionCloses() throws {
        var parser = HTTPResponseParser()
        let events = try parser.feed(Array("HTTP/1.1 200 OK\r\n\r\npart".utf8))
        #expect(events.count == 2)
        #expect(events.last == .body(Array("part".utf8)))
        #expect(parser.isCloseDelimited)
        #expect(!parser.isComplete)
        #expect(try parser.finish() == [.end])
        #expect(parser.isComplete)
    }

    @Test func interimResponsesAreSkipped() {
        let result = Self.whole("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", eof: false)
        #expect(result.head?.status == 200)
        #expect(result.ended)
    }

    @Test func headersKeepOrderAndDuplicates() throws {
        let result = Self.whole("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-RateLimit-Limit: 10\r\nset-cookie: b=2\r\nContent-Length:0\r\n\r\n", eof: false)
        let head = try #require(result.head)
        #expect(head.headers.fields.map(\.name) == ["Set-Cookie", "X-RateLimit-Limit", "set-cookie", "Content-Length"])
        #expect(head.headers.values(for: "set-cookie") == ["a=1", "b=2"])
        #expect(head.headers["content-length"] == "0")
    }

    @Test func noBodyFor204And304AndHEAD() {
        #expect(Self.whole("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", eof: false).ended)
        let head = Self.whole("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", eof: false, requestWasHEAD: true)
        #expect(head.ended)
        #expect(head.body.isEmpty)
    }

    @Test func keepAliveFollowsVersionAndConnectionField() {
        #expect(Self.whole("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").head?.allowsKeepAlive == false)
        #expect(Self.whole("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").head?.allowsKeepAlive == false)
        #expect(Self.whole("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").head?.allowsKeepAlive == true)
        #expect(Self.whole("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").head?.allowsKeepAlive == true)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", HTTPResponseParseError.contentLengthWithTransferEncoding),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferEncoding("gzip, chunked")),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n", .invalidChunkSize),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\n", .invalidChunkSize),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY", .missingChunkTerminator),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "0", count: 80) + "1\r\n", .chunkLineTooLong),
        ("HTTP/1.1 101 Switching Protocols\r\n\r\n", .unexpectedUpgrade),
        ("HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion),
        ("HTTP/1.1 20 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 200OK\r\n\r\n", .invalidStatusLine),
        ("ICY 200 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", .invalidFieldName),
        ("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", .missingColon),
        ("HTTP/1.1 200 OK\r\nX: a\u{01}b\r\n\r\n", .invalidFieldValue),
        ("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", .invalidLineEnding),
        ("HTTP/1.1 200 OK\r\nX: " + String(repeating: "v", count: 1100) + "\r\n\r\n", .headTooLarge(limit: 1024)),
        ("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", .truncatedBody),
        ("HTTP/1.1 200 OK\r\nContent-Le", .truncatedHead),
        ("", .truncatedHead),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nX", .unexpectedData),
    ])
    func malformedFramingIsRefusedWithAClearError(_ input: String, _ expected: HTTPResponseParseError) {
        let result = Self.whole(input)
        #expect(result.error == expected, "\(input.debugDescription): \(result)")
        #expect(!expected.description.isEmpty)
    }

    @Test func aFailedParserStaysFailed() {
        var parser = HTTPResponseParser()
        #expect(throws: HTTPResponseParseError.invalidStatusLine) { _ = try parser.feed(Array("NOPE\r\n\r\n".utf8)) }
        #expect(throws: HTTPResponseParseError.invalidStatusLine) { _ = try parser.feed(Array("HTTP/1.1 200 OK\r\n\r\n".utf8)) }
    }
}
