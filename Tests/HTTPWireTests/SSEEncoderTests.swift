// Server-sent event framing.
import Testing
@testable import HTTPWire

@Suite struct SSEEncoderTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func eventIsTypeLineDataLineAndBlankLine() {
        #expect(text(SSEEncoder.event("content", data: #"{"type":"content","content":"Based on"}"#))
            == "event: content\ndata: {\"type\":\"content\",\"content\":\"Based on\"}\n\n")
    }

    @Test func keepAliveIsAComment() {
        #expect(text(SSEEncoder.keepAlive) == ": keep-alive\n\n")
    }

    @Test func multiLineDataBecomesSeveralDataLines() {
        #expect(text(SSEEncoder.event("x", data: "a\nb\r\nc\rd")) == "event: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n")
    }

    @Test func lineBreaksInTypeAreRemoved() {
        #expect(text(SSEEncoder.event("a\r\nb", data: "1")) == "event: ab\ndata: 1\n\n")
    }

    @Test(arguments: ["{\"type\":\"content\",\"content\":\"Hi é\"}", "", "two\nlines", "cr\r\nlf", "a\rb"])
    func bytesDataIsFramedLikeStringData(_ data: String) {
        #expect(SSEEncoder.event("content", data: Array(data.utf8)) == SSEEncoder.event("content", data: data))
        #expect(SSEEncoder.event("con\ntent", data: Array(data.utf8)) == SSEEncoder.event("con\ntent", data: data))
    }
}
