import HTTPWire
import Testing
import TestSupport

@Suite("SSE parser")
struct SSEParserTests {
    static func parseAll(_ chunks: [[UInt8]], maxEventBytes: Int = 8 * 1024 * 1024) throws -> [SSEEvent] {
        var parser = SSEParser(maxEventBytes: maxEventBytes)
        var events: [SSEEvent] = []
        for chunk in chunks { events += try parser.feed(chunk) }
        return events
    }

    static func parse(_ text: String) throws -> [SSEEvent] { try parseAll([Array(text.utf8)]) }

    @Test("the recorded Assistants stream parses into its 37 events ending in done/[DONE]")
    func assistantsFixtureEvents() throws {
        let events = try Self.parse(RecordedFixtures.assistantsRunStream)
        #expect(events.count == 37)
        #expect(events.first?.event == "thread.run.created")
        #expect(events.filter { $0.event == "thread.message.delta" }.count == 26)
        #expect(events.last == SSEEvent(event: "done", data: "[DONE]"))
        #expect(events.last?.isDone == true)
    }

    @Test("the recorded Responses stream parses into 30 events with no [DONE]")
    func responsesFixtureEvents() throws {
        let events = try Self.parse(RecordedFixtures.responsesStream)
        #expect(events.count == 30)
        #expect(events.last?.event == "response.completed")
        #expect(!events.contains { $0.isDone })
    }

    @Test("splitting a recorded stream at every byte offset yields identical events",
          arguments: [RecordedFixtures.assistantsRunStream, RecordedFixtures.responsesStream])
    func everyOffsetSplit(fixture: String) async throws {
        let bytes = Array(fixture.utf8)
        let expected = try Self.parseAll([bytes])
        for offset in 0...bytes.count {
            // CPU-heavy: let the (2-thread) cooperative pool run other tests' I/O now and then.
            if offset % 64 == 0 { await Task.yield() }
            let events = try Self.parseAll([Array(bytes[..<offset]), Array(bytes[offset...])])
            #expect(events == expected, "split at \(offset)")
            if events != expected { return }
        }
    }

    @Test("random chunkings (including 1-byte chunks) yield identical events",
          arguments: [RecordedFixtures.assistantsRunStream, RecordedFixtures.responsesStream])
    func randomChunkings(fixture: String) async throws {
        let bytes = Array(fixture.utf8)
        let expected = try Self.parseAll([bytes])
        #expect(try Self.parseAll(bytes.map { [$0] }) == expected)
        var state: UInt64 = 42  // a fixed xorshift sequence: reproducible "random" chunk sizes
        for round in 0..<200 {
            if round % 20 == 0 { await Task.yield() }
            var chunks: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let size = Int(state % 300) + 1
                chunks.append(Array(bytes[index..<min(bytes.count, index + size)]))
                index += size
            }
            #expect(try Self.parseAll(chunks) == expected)
        }
    }

    @Test("CR, LF and CRLF line ends give the same events, also split at every offset",
          arguments: ["\r", "\r\n"])
    func lineEndVariants(lineEnd: String) async throws {
        let lf = RecordedFixtures.assistantsRunStream
        let expected = try Self.parse(lf)
        let converted = Array(lf.replacingOccurrences(of: "\n", with: lineEnd).utf8)
        #expect(try Self.parseAll([converted]) == expected)
        for offset in stride(from: 0, through: converted.count, by: 7) {
            if offset % 700 == 0 { await Task.yield() }
            #expect(try Self.parseAll([Array(converted[..<offset]), Array(converted[offset...])]) == expected)
        }
    }

    @Test("a CR ending one chunk and an LF starting the next are one line end")
    func crlfAcrossChunks() throws {
        let chunks: [[UInt8]] = [Array("data: a\r".utf8), Array("\ndata: b\r".utf8), Array("\n\r".utf8), Array("\n".utf8)]
        #expect(try Self.parseAll(chunks) == [SSEEvent(data: "a\nb")])
    }

    @Test("a lone CR followed by an empty line dispatches once")
    func crThenLF() throws {
        // "\r\r" is two line ends (an empty line); "\n" after the second CR belongs to it.
        #expect(try Self.parse("data: x\r\r\ndata: y\n\n") == [SSEEvent(data: "x"), SSEEvent(data: "y")])
    }

    @Test("multi-line data is joined with LF")
    func multiLineData() throws {
        #expect(try Self.parse("data: one\ndata: two\ndata:\ndata: three\n\n") == [SSEEvent(data: "one\ntwo\n\nthree")])
    }

    @Test("comment lines are ignored and do not dispatch")
    func comments() throws {
        #expect(try Self.parse(": keep-alive\n\n:another\ndata: x\n: mid\n\n") == [SSEEvent(data: "x")])
    }

    @Test("only one space after the colon is removed; no space is fine too")
    func optionalSpace() throws {
        #expect(try Self.parse("event:a\ndata:x\n\nevent: b\ndata:  y\n\n") == [
            SSEEvent(event: "a", data: "x"), SSEEvent(event: "b", data: " y"),
        ])
    }

    @Test("a leading BOM is skipped, even split across chunks; a later BOM is data")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let body = Array("data: x\n\n".utf8)
        #expect(try Self.parseAll([bom + body]) == [SSEEvent(data: "x")])
        #expect(try Self.parseAll([[0xEF], [0xBB], [0xBF] + body]) == [SSEEvent(data: "x")])
        #expect(try Self.parseAll([[0xEF, 0xBB], [0xBF], body]) == [SSEEvent(data: "x")])
        // Only the first BOM is skipped: a second one makes the field name "\u{FEFF}data", which is unknown.
        #expect(try Self.parseAll([bom + bom + body]) == [])
    }

    @Test("bytes that merely start like a BOM are kept")
    func partialBOMIsData() throws {
        // 0xEF 0xBB then 'd': not a BOM; the line is an unknown field, the next event still parses.
        #expect(try Self.parseAll([[0xEF, 0xBB], Array("data: x\n\ndata: y\n\n".utf8)]) == [SSEEvent(data: "y")])
    }

    @Test("unknown fields are ignored, a field without a colon has an empty value")
    func unknownFields() throws {
        #expect(try Self.parse("foo: bar\ndata: x\nbaz\n\n") == [SSEEvent(data: "x")])
        #expect(try Self.parse("data\n\n") == [SSEEvent(data: "")])
    }

    @Test("an event without data is not dispatched and its type does not leak into the next event")
    func eventWithoutData() throws {
        #expect(try Self.parse("event: ping\n\ndata: x\n\n") == [SSEEvent(event: "message", data: "x")])
    }

    @Test("id persists across events, an id with NUL is ignored, retry needs digits")
    func idAndRetry() throws {
        var parser = SSEParser()
        let events = try parser.feed(Array("id: 7\ndata: a\n\ndata: b\n\nid: x\u{0}y\nretry: 15x\ndata: c\n\nretry: 250\n\n".utf8))
        #expect(events.map(\.lastEventId) == ["7", "7", "7"])
        #expect(parser.reconnectionTime == 250)
    }

    @Test("an event not terminated by a blank line is discarded at the end of the stream")
    func incompleteEventDiscarded() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: partial".utf8)).isEmpty)
        parser.finish()
        #expect(try parser.feed(Array("data: next\n\n".utf8)) == [SSEEvent(data: "next")])
    }

    @Test("data: [DONE] is an ordinary event flagged isDone")
    func doneSentinel() throws {
        let events = try Self.parse("data: [DONE]\n\n")
        #expect(events == [SSEEvent(data: "[DONE]")])
        #expect(events[0].isDone)
    }

    @Test("a line longer than the limit is rejected, even across chunks")
    func lineTooLong() throws {
        var parser = SSEParser(maxEventBytes: 64)
        #expect(try parser.feed(Array("data: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 40)).isEmpty)
        #expect(throws: SSEParser.Error.eventTooLarge(limit: 64)) {
            _ = try parser.feed(Array(repeating: UInt8(ascii: "a"), count: 40))
        }
    }

    @Test("an event whose data lines add up past the limit is rejected")
    func eventTooLarge() throws {
        let line = "data: " + String(repeating: "a", count: 30) + "\n"
        #expect(throws: SSEParser.Error.eventTooLarge(limit: 64)) {
            _ = try Self.parseAll([Array((line + line + line).utf8)], maxEventBytes: 64)
        }
    }

    @Test("invalid UTF-8 is replaced, not fatal")
    func invalidUTF8() throws {
        let events = try Self.parseAll([Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8)])
        #expect(events == [SSEEvent(data: "a\u{FFFD}b")])
    }

    @Test("comments are dropped by default and kept with keepsComments, a comment-only block dispatched")
    func keptComments() throws {
        let stream = Array(": keep-alive\n\nevent: content\n:mid\ndata: x\n\n".utf8)
        var plain = SSEParser()
        #expect(try plain.feed(stream) == [SSEEvent(event: "content", data: "x")])
        var keeping = SSEParser(keepsComments: true)
        var events: [SSEEvent] = []
        for byte in stream { events += try keeping.feed([byte]) }
        #expect(events == [SSEEvent(data: "", comments: ["keep-alive"]), SSEEvent(event: "content", data: "x", comments: ["mid"])])
        #expect(events.map(\.isCommentOnly) == [true, false])
    }

    @Test("kept comments count towards the event limit")
    func keptCommentsAreBounded() throws {
        var parser = SSEParser(maxEventBytes: 64, keepsComments: true)
        #expect(throws: SSEParser.Error.eventTooLarge(limit: 64)) {
            _ = try parser.feed(Array(String(repeating: ": " + String(repeating: "c", count: 20) + "\n", count: 4).utf8))
        }
    }
}
