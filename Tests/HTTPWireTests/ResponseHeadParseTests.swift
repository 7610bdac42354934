@testable import HTTPWire
import Testing

/// `HTTPResponseParser.parseHead` reads lines in place; it must decide exactly what a plain reading
/// does: lines split at LF (a CR before it dropped), the status line, then `name: value` fields.
@Suite struct ResponseHeadParseTests {
    /// The plain reading: the generic split into lines, then each line checked as RFC 9112 says.
    static func reference(_ bytes: [UInt8]) -> Result<HTTPResponseHead, HTTPResponseParseError> {
        let head = bytes.dropLast(4)
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { $0.last == 13 ? Array($0.dropLast()) : Array($0) }
        let status = lines.removeFirst()
        guard status.count >= 12, status.starts(with: Array("HTTP/".utf8)), status[6] == 46, status[8] == 32 else { return .failure(.invalidStatusLine) }
        let isDigit = { (b: UInt8) in b >= 48 && b <= 57 }
        guard isDigit(status[5]), isDigit(status[7]) else { return .failure(.invalidStatusLine) }
        guard status[5] == 49, status[7] <= 49 else { return .failure(.unsupportedVersion) }
        guard status[9..<12].allSatisfy(isDigit), status[9] != 48 else { return .failure(.invalidStatusLine) }
        let code = status[9..<12].reduce(0) { $0 * 10 + Int($1 - 48) }
        let valueByte = { (b: UInt8) in b == 9 || (b >= 32 && b != 127) }
        var reason = ""
        if status.count > 12 {
            guard status[12] == 32, status[13...].allSatisfy(valueByte) else { return .failure(.invalidStatusLine) }
            reason = String(decoding: status[13...], as: UTF8.self)
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let first = line.first else { return .failure(.invalidFieldName) }
            guard first != 32, first != 9 else { return .failure(.obsoleteLineFolding) }
            guard let colon = line.firstIndex(of: 58) else { return .failure(.missingColon) }
            guard colon > 0, line[..<colon].allSatisfy(HTTPByteClass.isToken) else { return .failure(.invalidFieldName) }
            guard line[(colon + 1)...].allSatisfy(valueByte) else { return .failure(.invalidFieldValue) }
            var value = line[(colon + 1)...]
            while let b = value.first, b == 32 || b == 9 { value = value.dropFirst() }
            while let b = value.last, b == 32 || b == 9 { value = value.dropLast() }
            headers.add(name: String(decoding: line[..<colon], as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        }
        return .success(HTTPResponseHead(minorVersion: Int(status[7] - 48), status: code, reason: reason, headers: headers))
    }

    static let heads = [
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nx-ratelimit-limit-requests: 10000\r\n\r\n",
        "HTTP/1.0 204 No Content\r\n\r\n",
        "HTTP/1.1 200\r\n\r\n",
        "HTTP/1.1 200 \r\n\r\n",
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After:   7 \t\r\nA:\r\n\r\n",
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\u{7F}c\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",
        "HTTP/1.1 200 OK\nA: bare LF\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\nA: after the end\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "HTTP/1.2 200 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 O\u{1}K\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\r\n\r\n",
        "\r\n\r\n",
        "",
        "abc",
        "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 200 Okay ünïcode\r\nX-Ünicode: ok\r\nX-Val: ünïcode\r\n\r\n",
    ]

    @Test(arguments: heads)
    func parsesAsThePlainReadingDoes(_ text: String) {
        let bytes = Array(text.utf8)
        let parsed: Result<HTTPResponseHead, HTTPResponseParseError>
        do throws(HTTPResponseParseError) {
            parsed = .success(try HTTPResponseParser.parseHead(bytes))
        } catch {
            parsed = .failure(error)
        }
        #expect(parsed == Self.reference(bytes), "\(text.debugDescription)")
    }

    @Test func aHeadSplitAnywhereParsesTheSame() throws {
        let text = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_1\r\nContent-Length: 2\r\n\r\n{}".utf8)
        var whole = HTTPResponseParser()
        let expected = try whole.feed(text)
        for split in 1..<text.count {
            var parser = HTTPResponseParser()
            let events = try parser.feed(Array(text[..<split])) + parser.feed(Array(text[split...]))
            // Body pieces may come split; the head and the end must not.
            #expect(events.first == expected.first, "split at \(split)")
            #expect(events.last == .end)
            let body = events.compactMap { if case .body(let b) = $0 { b } else { nil } }.joined()
            #expect(Array(body) == Array("{}".utf8))
        }
    }
}
