// Requests that must be refused: smuggling vectors, malformed syntax, limits (RFC 9112).
import Testing
@testable import HTTPWire

@Suite struct RequestParserRejectionTests {
    /// The error the whole input ends in (nil if it parsed or is still incomplete).
    func error(_ input: String, limits: HTTPRequestParser.Limits = .init()) -> String? {
        transcript(input, limits: limits).last.flatMap { $0.hasPrefix("error ") ? String($0.dropFirst(6)) : nil }
    }

    func error(_ bytes: [UInt8]) -> String? {
        transcript(bytes).last.flatMap { $0.hasPrefix("error ") ? String($0.dropFirst(6)) : nil }
    }

    // MARK: body length (RFC 9112 §6)

    @Test func contentLengthAndTransferEncodingTogetherAreRejected() {
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n") == "contentLengthWithTransferEncoding")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n") == "contentLengthWithTransferEncoding")
    }

    @Test func duplicateContentLengthIsRejectedEvenWhenEqual() {
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n") == "multipleContentLength")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n") == "multipleContentLength")
    }

    @Test func malformedContentLengthIsRejected() {
        for value in ["+5", "-5", "5, 5", "5 5", "0x5", "", "5.0", "five"] {
            #expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n") == "invalidContentLength", "Content-Length: \(value)")
        }
    }

    @Test func hugeContentLengthIsTooLargeBeforeAnyBodyByte() {
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n") == "payloadTooLarge")
        let limits = HTTPRequestParser.Limits(maxBodyBytes: 10)
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: limits) == "payloadTooLarge")
    }

    @Test func transferEncodingNotEndingInChunkedIsRejected() {
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n") == "transferEncodingNotChunkedLast")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n") == "transferEncodingNotChunkedLast")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n") == "transferEncodingNotChunkedLast")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n") == "transferEncodingNotChunkedLast")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n") == "transferEncodingNotChunkedLast")
    }

    @Test func chunkedTwiceIsRejectedAndOtherCodingsAreNotImplemented() {
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n") == "chunkedMoreThanOnce")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == "unsupportedTransferCoding")
        #expect(HTTPParseError.unsupportedTransferCoding.status == 501)
    }

    @Test func transferEncodingInHTTP10IsRejected() {
        #expect(error("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == "transferEncodingInHTTP10")
    }

    // MARK: chunked coding (RFC 9112 §7.1)

    @Test func malformedChunkSizesAreRejected() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(error(head + "g\r\n") == "invalidChunkSize")
        #expect(error(head + "\r\n") == "invalidChunkSize")
        #expect(error(head + "-1\r\n") == "invalidChunkSize")
        #expect(error(head + "5 x\r\n") == "invalidChunkSize")
        #expect(error(head + "0x5\r\n") == "invalidChunkSize")
        #expect(error(head + "10000000000000000\r\n") == "chunkSizeOverflow")
        #expect(error(head + "5\nhello") == "bareLineFeed")
        #expect(error(head + "5\rhello") == "bareCarriageReturn")
    }

    @Test func chunkDataMustEndWithCRLF() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(error(head + "3\r\nabcX\r\n") == "invalidChunkTerminator")
        #expect(error(head + "3\r\nabc\rX") == "invalidChunkTerminator")
        #expect(error(head + "3\r\nabcd\r\n0\r\n\r\n") == "invalidChunkTerminator")
    }

    @Test func chunkedBodyOverLimitIsRejectedWhenTheChunkIsAnnounced() {
        let limits = HTTPRequestParser.Limits(maxBodyBytes: 8)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        // The second chunk's size line alone is enough: its data never has to arrive.
        #expect(error(head + "5\r\nhello\r\n4\r\n", limits: limits) == "payloadTooLarge")
    }

    @Test func overlongChunkLineIsRejected() {
        let limits = HTTPRequestParser.Limits(maxChunkLineBytes: 32)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(error(head + "5;" + String(repeating: "x", count: 40), limits: limits) == "chunkLineTooLong")
    }

    @Test func malformedTrailerIsRejected() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(error(head + "0\r\nbad trailer\r\n\r\n") == "whitespaceBeforeColon")
        #expect(error(head + "0\r\nX: a\nY: b\r\n\r\n") == "bareLineFeed")
    }

    // MARK: line framing and fields (RFC 9112 §2.2, §5)

    @Test func bareLineFeedIsRejected() {
        #expect(error("GET / HTTP/1.1\nHost: a\r\n\r\n") == "bareLineFeed")
        #expect(error("GET / HTTP/1.1\r\nHost: a\n\n") == "bareLineFeed")
        #expect(error("\nGET / HTTP/1.1\r\n") == "bareLineFeed")
    }

    @Test func bareCarriageReturnIsRejected() {
        #expect(error("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n") == "bareCarriageReturn")
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n") == "bareCarriageReturn")
    }

    @Test func obsoleteLineFoldingIsRejected() {
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n") == "obsoleteLineFolding")
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n") == "obsoleteLineFolding")
        #expect(error("GET / HTTP/1.1\r\n Host: a\r\n\r\n") == "obsoleteLineFolding")
    }

    @Test func whitespaceBeforeColonIsRejected() {
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello") == "whitespaceBeforeColon")
        #expect(error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n") == "whitespaceBeforeColon")
    }

    @Test func invalidFieldNamesAndValuesAreRejected() {
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n") == "invalidFieldName")
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n") == "invalidFieldName")
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n") == "missingColon")
        #expect(error(Array("GET / HTTP/1.1\r\nHost: a\r\nX: a".utf8) + [0] + Array("b\r\n\r\n".utf8)) == "invalidFieldValue")
        #expect(error(Array("GET / HTTP/1.1\r\nHost: a\r\nX: a".utf8) + [0x7F] + Array("\r\n\r\n".utf8)) == "invalidFieldValue")
    }

    @Test func hostMustAppearExactlyOnceInHTTP11() {
        #expect(error("GET / HTTP/1.1\r\n\r\n") == "invalidHost")
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == "invalidHost")
    }

    // MARK: request line (RFC 9112 §3)

    @Test func malformedRequestLinesAreRejected() {
        #expect(error("GET /\r\nHost: a\r\n\r\n") == "invalidRequestLine")
        #expect(error("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") == "invalidRequestLine")
        #expect(error("GET / HTTP/1.1 \r\nHost: a\r\n\r\n") == "invalidVersion")
        #expect(error("GET\r\nHost: a\r\n\r\n") == "invalidRequestLine")
        #expect(error("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") == "invalidMethod")
        #expect(error("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n") == "invalidMethod")
        #expect(error(Array("GET /caf".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8)) == "invalidTarget")
    }

    @Test func badVersionsAreRejected() {
        #expect(error("GET / HTTP/1\r\nHost: a\r\n\r\n") == "invalidVersion")
        #expect(error("GET / http/1.1\r\nHost: a\r\n\r\n") == "invalidVersion")
        #expect(error("GET / HTTP/1.10\r\nHost: a\r\n\r\n") == "invalidVersion")
        #expect(error("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == "unsupportedVersion")
        #expect(HTTPParseError.unsupportedVersion.status == 505)
    }

    // MARK: limits

    @Test func headerSectionOverLimitIsTooLargeEvenWithoutTerminator() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 64)
        #expect(error("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "y", count: 100), limits: limits) == "headerTooLarge")
        #expect(error(String(repeating: "\r\n", count: 40), limits: limits) == "headerTooLarge")
        #expect(HTTPParseError.headerTooLarge.status == 431)
    }

    @Test func trailerSectionOverLimitIsTooLarge() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 80)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(error(head + "0\r\nX: " + String(repeating: "y", count: 100), limits: limits) == "headerTooLarge")
    }

    @Test func failedParserKeepsFailing() throws {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: Array("GET / HTTP/1.1\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.bareLineFeed) { try parser.next() }
        parser.append(contentsOf: Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.bareLineFeed) { try parser.next() }
    }

    @Test func errorsMapToStatusAndCode() {
        #expect(HTTPParseError.contentLengthWithTransferEncoding.status == 400)
        #expect(HTTPParseError.contentLengthWithTransferEncoding.code == "bad_request")
        #expect(HTTPParseError.payloadTooLarge.status == 413)
        #expect(HTTPParseError.payloadTooLarge.code == "payload_too_large")
        #expect(HTTPParseError.headerTooLarge.code == "header_too_large")
    }
}
