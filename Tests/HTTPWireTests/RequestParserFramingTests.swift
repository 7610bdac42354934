// Valid requests: framing, pipelining, keep-alive rules, Expect, chunked bodies.
import Testing
@testable import HTTPWire

@Suite struct RequestParserFramingTests {
    @Test func simpleGetYieldsHeadThenRequest() {
        #expect(transcript("GET /health HTTP/1.1\r\nHost: a\r\n\r\n") == [
            "head GET /health HTTP/1.1 keepAlive=true continue=false framing=none [Host=a]",
            "request GET /health body=",
        ])
    }

    @Test func fieldValuesAreTrimmedAndNameSpellingKept() {
        #expect(transcript("GET / HTTP/1.1\r\nHost:a\r\nX-Thing: \t v 1 \t\r\n\r\n") == [
            "head GET / HTTP/1.1 keepAlive=true continue=false framing=none [Host=a|X-Thing=v 1]",
            "request GET / body=",
        ])
    }

    @Test func contentLengthBodyIsReadExactly() {
        #expect(transcript("POST /q HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello") == [
            "head POST /q HTTP/1.1 keepAlive=true continue=false framing=length(5) [Host=a|Content-Length=5]",
            "request POST /q body=hello",
        ])
    }

    @Test func contentLengthZeroMeansNoBody() {
        #expect(transcript("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 000\r\n\r\n").last == "request POST / body=")
    }

    @Test func bodyWaitsForMissingBytes() {
        #expect(transcript("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nhello") == [
            "head POST / HTTP/1.1 keepAlive=true continue=false framing=length(6) [Host=a|Content-Length=6]",
        ])
    }

    @Test func pipelinedRequestsComeOutInOrderWithLeftoversKept() {
        let input = "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHo"
        let lines = transcript(input).filter { $0.hasPrefix("request") }
        #expect(lines == ["request POST /1 body=abc", "request GET /2 body="])
        var parser = HTTPRequestParser()
        parser.append(contentsOf: Array(input.utf8))
        while (try? parser.next()) != nil {}
        #expect(parser.bufferedByteCount == "GET /3 HTTP/1.1\r\nHo".utf8.count)
        #expect(!parser.isAtRequestBoundary)
    }

    @Test func chunkedBodyIsDechunkedWithExtensionsIgnoredAndTrailersDropped() {
        let input = "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n"
            + "6 ; ext\r\n world\r\n"
            + "A\r\n0123456789\r\n"
            + "0\r\nX-Trailer: t\r\n\r\n"
        #expect(transcript(input) == [
            "head POST /c HTTP/1.1 keepAlive=true continue=false framing=chunked [Host=a|Transfer-Encoding=chunked]",
            "request POST /c body=hello world0123456789",
        ])
    }

    @Test func transferEncodingIsCaseInsensitiveAndMayBeSplitOverFields() {
        #expect(transcript("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n").last == "request POST / body=")
        #expect(transcript("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").last == "request POST / body=")
    }

    @Test func requestAfterChunkedBodyIsParsed() {
        let input = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(transcript(input).filter { $0.hasPrefix("request") } == ["request POST / body=x", "request GET /next body="])
    }

    @Test func http11DefaultsToKeepAliveUnlessConnectionClose() {
        #expect(transcript("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").first?.contains("keepAlive=false") == true)
        #expect(transcript("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n").first?.contains("keepAlive=false") == true)
        #expect(transcript("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n").first?.contains("keepAlive=true") == true)
    }

    @Test func http10NeedsKeepAliveAndHostIsOptional() {
        #expect(transcript("GET / HTTP/1.0\r\n\r\n").first == "head GET / HTTP/1.0 keepAlive=false continue=false framing=none []")
        #expect(transcript("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").first?.contains("keepAlive=true") == true)
    }

    @Test func expectContinueIsReportedOnHTTP11Only() {
        #expect(transcript("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").first?.contains("continue=true") == true)
        #expect(transcript("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").first?.contains("continue=false") == true)
    }

    @Test func emptyLinesBeforeRequestLineAreIgnored() {
        #expect(transcript("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").last == "request GET / body=")
    }

    @Test func obsTextInFieldValueIsAccepted() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8)
        #expect(transcript(bytes).first?.contains("X-Name=café") == true)
    }

    @Test func higherMinorVersionIsTreatedAsHTTP11() {
        #expect(transcript("GET / HTTP/1.7\r\nHost: a\r\n\r\n").first?.contains("HTTP/1.7 keepAlive=true") == true)
    }

    @Test func parserIsAtBoundaryOnlyBetweenRequests() throws {
        var parser = HTTPRequestParser()
        #expect(parser.isAtRequestBoundary)
        parser.append(contentsOf: Array("GET / HTTP/1.1\r\n".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.isAtRequestBoundary)
        parser.append(contentsOf: Array("Host: a\r\n\r\n".utf8))
        _ = try parser.next()
        _ = try parser.next()
        #expect(parser.isAtRequestBoundary)
    }

    @Test func bodyExactlyAtLimitIsAccepted() {
        let limits = HTTPRequestParser.Limits(maxBodyBytes: 5)
        #expect(transcript("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", limits: limits).last == "request POST / body=hello")
        #expect(transcript("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", limits: limits).last == "request POST / body=hello")
    }

    @Test func headExactlyAtLimitIsAccepted() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: head.utf8.count)
        #expect(transcript(head, limits: limits).last == "request GET / body=")
        let tooSmall = HTTPRequestParser.Limits(maxHeaderBytes: head.utf8.count - 1)
        #expect(transcript(head, limits: tooSmall) == ["error headerTooLarge"])
    }
}

extension HTTPRequestParser.Event: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { describe(lhs) == describe(rhs) }
}
