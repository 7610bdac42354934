import Testing
@testable import threadmeter_load

/// Feeds `bytes` to a fresh parser in pieces of `step` bytes; returns the head, the body and whether it completed.
private func read(_ text: String, step: Int) throws -> (head: ResponseHead?, body: [UInt8], complete: Bool) {
    var parser = HTTPResponseParser()
    var head: ResponseHead?
    var body: [UInt8] = []
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + step, bytes.count)
        let piece = Array(bytes[offset..<end])
        let consumed = try piece.withUnsafeBufferPointer { buffer in
            try parser.feed(buffer, onHead: { head = $0 }, onBody: { body.append(contentsOf: $0) })
        }
        offset += consumed
        if consumed < piece.count { break }
    }
    return (head, body, parser.isComplete)
}

@Suite struct ResponseReadingTests {
    static let chunked = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n"

    @Test(arguments: [1, 2, 3, 7, 1000])
    func chunkedBodyIsDecodedAtAnySplit(step: Int) throws {
        let result = try read(Self.chunked, step: step)
        #expect(result.head?.status == 200)
        #expect(result.head?.header("content-type") == "text/event-stream")
        #expect(String(decoding: result.body, as: UTF8.self) == "hello, world")
        #expect(result.complete)
    }

    @Test func contentLengthBodyStopsAtItsLength() throws {
        let result = try read("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}extra", step: 1000)
        #expect(result.head?.status == 404)
        #expect(result.body == Array("{}".utf8))
        #expect(result.complete)
    }

    @Test func connectionCloseIsNotKeepAlive() throws {
        let result = try read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", step: 1000)
        #expect(result.head?.keepAlive == false)
    }

    @Test func invalidChunkSizeIsAnError() {
        #expect(throws: ResponseFramingError.self) {
            _ = try read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", step: 1000)
        }
    }

    @Test func conflictingContentLengthsAreAnError() {
        #expect(throws: ResponseFramingError.self) {
            _ = try read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab", step: 1000)
        }
    }

    @Test func sseEventsAreReassembledAcrossPieces() throws {
        let stream = "event: thread_info\ndata: {\"a\":1}\n\n: keep-alive\n\nevent: content\r\ndata: x\r\ndata: y\r\n\r\n"
        var reader = SSEEventReader()
        var events: [SSEEvent] = []
        for byte in stream.utf8 {
            try [byte].withUnsafeBufferPointer { try reader.feed($0) { events.append($0) } }
        }
        #expect(events.map(\.name) == ["thread_info", "content"])
        #expect(String(decoding: events[1].data, as: UTF8.self) == "x\ny")
        #expect(reader.comments == 1)
    }
}
