// The response head: status line, header fields, and how the body is framed (RFC 9112 §4, §5, §6.3).

extension HTTPResponseParser {
    /// Parses the accumulated head (ending in CRLF CRLF), skips interim responses, and chooses the
    /// body framing.
    mutating func completeHead(into events: inout [Event]) throws(HTTPResponseParseError) {
        let bytes = buffer
        headBytes += bytes.count
        buffer.removeAll(keepingCapacity: true)
        let head = try Self.parseHead(bytes)
        let status = head.status
        if (100..<200).contains(status) {
            guard status != 101 else { throw .unexpectedUpgrade }
            return  // interim response: the final one follows
        }
        let headers = head.headers
        self.head = head
        events.append(.head(head))
        if requestWasHEAD || status == 204 || status == 304 {
            finishBody(into: &events)
            return
        }
        // The framing fields, in one pass (names compared by length first).
        var transferEncodings: [String] = [], contentLengths: [String] = []
        for field in headers.fields {
            switch field.name.utf8.count {
            case 17 where field.name.caseInsensitiveEquals("Transfer-Encoding"): transferEncodings.append(field.value)
            case 14 where field.name.caseInsensitiveEquals("Content-Length"): contentLengths.append(field.value)
            default: break
            }
        }
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else { throw .contentLengthWithTransferEncoding }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { Self.trimmed($0) }
            guard codings.count == 1, codings[0].caseInsensitiveEquals("chunked") else {
                throw .unsupportedTransferEncoding(transferEncodings.joined(separator: ", "))
            }
            state = .chunkSize
        } else if !contentLengths.isEmpty {
            let length = try Self.contentLength(contentLengths)
            if length == 0 {
                finishBody(into: &events)
            } else {
                state = .fixed(remaining: length)
            }
        } else {
            state = .untilClose
        }
    }

    /// One head as it came off the wire: the status line and header fields, ending in CRLF CRLF
    /// (interim 1xx heads too; framing is not checked here). Lines are split at LF with a CR before
    /// it dropped; each line is read in place (no copies but the strings made).
    public static func parseHead(_ bytes: [UInt8]) throws(HTTPResponseParseError) -> HTTPResponseHead {
        try bytes.withUnsafeBufferPointer { (p) throws(HTTPResponseParseError) -> HTTPResponseHead in
            let end = max(p.count - 4, 0)
            var lineStart = 0
            var statusLine: (Int, Int, String)?
            var headers = HTTPHeaders()
            while true {
                var lf = lineStart
                while lf < end, p[lf] != HTTPByteClass.lf { lf += 1 }
                var lineEnd = lf
                if lineEnd > lineStart, p[lineEnd - 1] == HTTPByteClass.cr { lineEnd -= 1 }
                if statusLine == nil {
                    statusLine = try parseStatusLine(p, lineStart, lineEnd)
                } else {
                    let (name, value) = try parseField(p, lineStart, lineEnd)
                    headers.add(name: name, value: value)
                }
                guard lf < end else { break }
                lineStart = lf + 1
            }
            let (minor, status, reason) = statusLine!
            return HTTPResponseHead(minorVersion: minor, status: status, reason: reason, headers: headers)
        }
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason-phrase]`, in `p[start..<end]`.
    private static func parseStatusLine(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPResponseParseError) -> (Int, Int, String) {
        let count = end - start
        guard count >= 12, p[start] == UInt8(ascii: "H"), p[start + 1] == UInt8(ascii: "T"), p[start + 2] == UInt8(ascii: "T"),
              p[start + 3] == UInt8(ascii: "P"), p[start + 4] == UInt8(ascii: "/"), p[start + 6] == UInt8(ascii: "."),
              p[start + 8] == HTTPByteClass.sp else {
            throw .invalidStatusLine
        }
        let major = p[start + 5], minor = p[start + 7]
        guard isDigit(major), isDigit(minor) else { throw .invalidStatusLine }
        guard major == UInt8(ascii: "1"), minor <= UInt8(ascii: "1") else { throw .unsupportedVersion }
        let d0 = p[start + 9], d1 = p[start + 10], d2 = p[start + 11]
        guard isDigit(d0), isDigit(d1), isDigit(d2), d0 != UInt8(ascii: "0") else { throw .invalidStatusLine }
        let status = Int(d0 - UInt8(ascii: "0")) * 100 + Int(d1 - UInt8(ascii: "0")) * 10 + Int(d2 - UInt8(ascii: "0"))
        var reason = ""
        if count > 12 {
            guard p[start + 12] == HTTPByteClass.sp else { throw .invalidStatusLine }
            for i in (start + 13)..<end where !HTTPByteClass.isFieldValueByte(p[i]) { throw .invalidStatusLine }
            reason = string(p, (start + 13)..<end)
        }
        return (Int(minor - UInt8(ascii: "0")), status, reason)
    }

    /// `field-name ":" OWS field-value OWS`.
    static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPResponseParseError) -> (String, String) {
        try line.withUnsafeBufferPointer { (p) throws(HTTPResponseParseError) in try parseField(p, 0, p.count) }
    }

    /// `field-name ":" OWS field-value OWS`, in `p[start..<end]`.
    private static func parseField(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPResponseParseError) -> (String, String) {
        guard start < end else { throw .invalidFieldName }
        guard !HTTPByteClass.isWhitespace(p[start]) else { throw .obsoleteLineFolding }
        var colon = start
        while colon < end, p[colon] != HTTPByteClass.colon { colon += 1 }
        guard colon < end else { throw .missingColon }
        guard colon > start else { throw .invalidFieldName }
        for i in start..<colon where !HTTPByteClass.isToken(p[i]) { throw .invalidFieldName }
        for i in (colon + 1)..<end where !HTTPByteClass.isFieldValueByte(p[i]) { throw .invalidFieldValue }
        var valueStart = colon + 1, valueEnd = end
        while valueStart < valueEnd, HTTPByteClass.isWhitespace(p[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, HTTPByteClass.isWhitespace(p[valueEnd - 1]) { valueEnd -= 1 }
        return (string(p, start..<colon), string(p, valueStart..<valueEnd))
    }

    @inline(__always)
    private static func string(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: p[range]), as: UTF8.self)
    }

    /// One length, possibly repeated identically (`5, 5`); anything else is refused.
    private static func contentLength(_ values: [String]) throws(HTTPResponseParseError) -> Int {
        var length: Int?
        for element in values.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let text = trimmed(element.utf8[...])
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(isDigit), let value = Int(text) else {
                throw .invalidContentLength
            }
            guard length == nil || length == value else { throw .invalidContentLength }
            length = value
        }
        guard let length else { throw .invalidContentLength }
        return length
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func trimmed(_ bytes: some Collection<UInt8>) -> String {
        var slice = Array(bytes)[...]
        while let first = slice.first, HTTPByteClass.isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, HTTPByteClass.isWhitespace(last) { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    static func trimmed(_ text: Substring) -> String { trimmed(text.utf8) }
}
