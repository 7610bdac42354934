// Response serialisation, byte for byte.
import Testing
@testable import HTTPWire

@Suite struct ResponseEncoderTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func headHasStatusLineFieldsInOrderAndEmptyLine() {
        let head = HTTPResponseEncoder.encodeHead(status: 404, headers: ["Content-Type": "application/json", "X-A": "1"])
        #expect(text(head) == "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nX-A: 1\r\n\r\n")
    }

    @Test func unknownStatusGetsClassReasonPhrase() {
        var buffer: [UInt8] = []
        HTTPResponseEncoder.appendStatusLine(299, into: &buffer)
        HTTPResponseEncoder.appendStatusLine(599, into: &buffer)
        HTTPResponseEncoder.appendStatusLine(413, into: &buffer)
        #expect(text(buffer) == "HTTP/1.1 299 Success\r\nHTTP/1.1 599 Server Error\r\nHTTP/1.1 413 Content Too Large\r\n")
    }

    @Test func decimalFieldsAreWrittenWithoutStrings() {
        var buffer: [UInt8] = []
        for n in [0, 7, 10, 1234567890] {
            HTTPResponseEncoder.appendField(name: "Content-Length", decimal: n, into: &buffer)
        }
        #expect(text(buffer) == "Content-Length: 0\r\nContent-Length: 7\r\nContent-Length: 10\r\nContent-Length: 1234567890\r\n")
    }

    @Test func chunksAreHexSizedAndTerminated() {
        var buffer: [UInt8] = []
        HTTPResponseEncoder.appendChunk(Array("hello".utf8), into: &buffer)
        HTTPResponseEncoder.appendChunk(Array(repeating: UInt8(ascii: "x"), count: 26), into: &buffer)
        HTTPResponseEncoder.appendChunk([UInt8](), into: &buffer)
        buffer += HTTPResponseEncoder.lastChunk
        #expect(text(buffer) == "5\r\nhello\r\n1a\r\n" + String(repeating: "x", count: 26) + "\r\n0\r\n\r\n")
    }

    @Test func largeChunkSizeIsHex() {
        var buffer: [UInt8] = []
        HTTPResponseEncoder.appendChunk(Array(repeating: 0, count: 65536), into: &buffer)
        #expect(text(Array(buffer.prefix(7))) == "10000\r\n")
    }

    @Test func continueResponseIsExact() {
        #expect(text(HTTPResponseEncoder.continueResponse) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func fieldsWithLineBreaksOrBadNamesAreInvalid() {
        #expect(HTTPResponseEncoder.isValidField(name: "X-Ok", value: "a b\tc"))
        #expect(!HTTPResponseEncoder.isValidField(name: "X", value: "a\r\nSet-Cookie: x"))
        #expect(!HTTPResponseEncoder.isValidField(name: "X Y", value: "a"))
        #expect(!HTTPResponseEncoder.isValidField(name: "", value: "a"))
        #expect(!HTTPResponseEncoder.isValidField(name: "X", value: "a\u{0}"))
    }

    @Test func bodilessStatuses() {
        #expect(HTTPStatus.forbidsBody(204))
        #expect(HTTPStatus.forbidsBody(304))
        #expect(HTTPStatus.forbidsBody(101))
        #expect(!HTTPStatus.forbidsBody(200))
    }
}
