@testable import HTTPWire
import Testing

/// The head's line scan gives the lines the generic split did (LF ends a line, a CR before it is dropped).
@Suite struct ResponseHeadLinesTests {
    static func viaSplit(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        head.split(separator: 10, omittingEmptySubsequences: false).map { $0.last == 13 ? $0.dropLast() : $0 }
    }

    @Test(arguments: ["HTTP/1.1 200 OK\r\nA: 1\r\nB: 2", "", "\r", "\n", "a\nb\r\n\r\nc\r", "x\r\r\ny", "HTTP/1.1 204 No Content"])
    func linesMatchTheSplit(_ text: String) {
        let bytes = Array(("pad" + text).utf8)[3...]  // a slice that does not start at 0
        #expect(HTTPResponseParser.lines(of: bytes).map(Array.init) == Self.viaSplit(bytes).map(Array.init))
    }
}
