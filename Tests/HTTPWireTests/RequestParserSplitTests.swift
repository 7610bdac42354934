// Feeding the same bytes split at every offset (and byte by byte) gives identical results.
import Testing
@testable import HTTPWire

@Suite struct RequestParserSplitTests {
    static let cases: [String] = [
        "GET /health HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\nGET / HTTP/1.1\r\nHost: a\r\nX: v\r\n\r\n",
        "POST /q HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nT: 1\r\n\r\n",
        "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nokGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        // Errors must also come out identically however the bytes arrive.
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\rY\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n",
    ]

    @Test(arguments: cases)
    func everySplitGivesTheSameTranscript(_ input: String) {
        let (whole, mismatches) = splitInvariantTranscript(input)
        #expect(!whole.isEmpty)
        #expect(mismatches.isEmpty, "cuts giving a different transcript: \(mismatches)")
    }

    @Test func limitsHoldAcrossSplits() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 40, maxBodyBytes: 4)
        let (headWhole, headMismatches) = splitInvariantTranscript("GET / HTTP/1.1\r\nHost: a\r\nX-Long: 0123456789\r\n\r\n", limits: limits)
        #expect(headWhole == ["error headerTooLarge"])
        #expect(headMismatches.isEmpty)
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        let bodyLimits = HTTPRequestParser.Limits(maxHeaderBytes: 1024, maxBodyBytes: 4)
        let (bodyWhole, bodyMismatches) = splitInvariantTranscript(chunked, limits: bodyLimits)
        #expect(bodyWhole.last == "error payloadTooLarge")
        #expect(bodyMismatches.isEmpty)
    }
}
