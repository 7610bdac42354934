// The response head: status line, header fields, and how the body is framed (RFC 9112 §4, §5, §6.3).

extension HTTPResponseParser {
    /// The head's lines, split at LF with a CR before it dropped (a scan, not the generic `split`:
    /// a head is parsed per upstream answer).
    static func lines(of head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        lines.reserveCapacity(24)
        var start = head.startIndex
        var index = start
        while index < head.endIndex {
            if head[index] == HTTPByteClass.lf {
                lines.append(line(head, from: start, to: index))
                start = index + 1
            }
            index += 1
        }
        lines.append(line(head, from: start, to: head.endIndex))
        return lines
    }

    private static func line(_ head: ArraySlice<UInt8>, from start: Int, to end: Int) -> ArraySlice<UInt8> {
        end > start && head[end - 1] == HTTPByteClass.cr ? head[start..<(end - 1)] : head[start..<end]
    }

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
        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let contentLengths = headers.values(for: "Content-Length")
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
    /// (interim 1xx heads too; framing is not checked here).
    public static func parseHead(_ bytes: [UInt8]) throws(HTTPResponseParseError) -> HTTPResponseHead {
        var lines = lines(of: bytes.dropLast(4))
        guard !lines.isEmpty else { throw .invalidStatusLine }
        let (minor, status, reason) = try parseStatusLine(lines.removeFirst())
        var headers = HTTPHeaders()
        headers.reserveCapacity(lines.count)
        for line in lines {
            let (name, value) = try parseField(line)
            headers.add(name: name, value: value)
        }
        return HTTPResponseHead(minorVersion: minor, status: status, reason: reason, headers: headers)
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason-phrase]`.
    private static func parseStatusLine(_ line: ArraySlice<UInt8>) throws(HTTPResponseParseError) -> (Int, Int, String) {
        let bytes = Array(line)
        let prefix = Array("HTTP/".utf8)
        guard bytes.count >= 12, bytes.starts(with: prefix), bytes[6] == UInt8(ascii: "."),
              bytes[8] == HTTPByteClass.sp else {
            throw .invalidStatusLine
        }
        let major = bytes[5], minor = bytes[7]
        guard isDigit(major), isDigit(minor) else { throw .invalidStatusLine }
        guard major == UInt8(ascii: "1"), minor <= UInt8(ascii: "1") else { throw .unsupportedVersion }
        let digits = bytes[9..<12]
        guard digits.allSatisfy(isDigit), digits.first != UInt8(ascii: "0") else { throw .invalidStatusLine }
        let status = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        var reason = ""
        if bytes.count > 12 {
            guard bytes[12] == HTTPByteClass.sp, bytes[13...].allSatisfy(HTTPByteClass.isFieldValueByte) else {
                throw .invalidStatusLine
            }
            reason = String(decoding: bytes[13...], as: UTF8.self)
        }
        return (Int(minor - UInt8(ascii: "0")), status, reason)
    }

    /// `field-name ":" OWS field-value OWS`.
    static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPResponseParseError) -> (String, String) {
        guard let first = line.first else { throw .invalidFieldName }
        guard !HTTPByteClass.isWhitespace(first) else { throw .obsoleteLineFolding }
        guard let colon = line.firstIndex(of: HTTPByteClass.colon) else { throw .missingColon }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(HTTPByteClass.isToken) else { throw .invalidFieldName }
        let value = line[(colon + 1)...]
        guard value.allSatisfy(HTTPByteClass.isFieldValueByte) else { throw .invalidFieldValue }
        return (String(decoding: name, as: UTF8.self), trimmed(value))
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
