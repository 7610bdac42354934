// Parses a complete head (request line + field lines) and decides how the body is framed.

/// Turns the bytes of a complete head into an `HTTPRequestHead`, refusing anything ambiguous.
enum HTTPRequestHeadParser {
    /// Index of the CR of the line starting at `from` (the scanner guarantees a CRLF follows).
    @inline(__always)
    static func lineEnd(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var i = from
        while p[i] != HTTPByteClass.cr { i += 1 }
        return i
    }

    /// `p[start..<end]` is a head ending in an empty line; every line ends in CRLF.
    static func parse(_ p: UnsafeBufferPointer<UInt8>, start: Int, end: Int, limits: HTTPRequestParser.Limits) throws(HTTPParseError) -> HTTPRequestHead {
        let requestLineEnd = lineEnd(p, from: start)
        let (method, target, version) = try parseRequestLine(p, start, requestLineEnd)

        var headers = HTTPHeaders()
        var fieldLines = 0
        for i in requestLineEnd..<end where p[i] == HTTPByteClass.lf { fieldLines += 1 }
        headers.reserveCapacity(max(fieldLines - 2, 0))

        var framing = FramingFacts()
        var pos = requestLineEnd + 2
        while pos < end - 2 {
            let fieldEnd = lineEnd(p, from: pos)
            let (name, value) = try parseFieldLine(p, pos, fieldEnd)
            try framing.note(p, name: name, value: value)
            headers.add(name: string(p, name), value: string(p, value))
            pos = fieldEnd + 2
        }
        return try framing.head(method: method, target: target, version: version, headers: headers, limits: limits)
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3), single spaces only.
    private static func parseRequestLine(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParseError) -> (String, String, (major: Int, minor: Int)) {
        var i = start
        while i < end, p[i] != HTTPByteClass.sp {
            guard HTTPByteClass.isToken(p[i]) else { throw .invalidMethod }
            i += 1
        }
        guard i > start, i < end else { throw .invalidRequestLine }
        let methodRange = start..<i
        i += 1
        let targetStart = i
        while i < end, p[i] != HTTPByteClass.sp {
            // Visible ASCII only: no controls, no DEL, no raw non-ASCII (RFC 3986 needs them percent-encoded).
            guard p[i] > 0x20, p[i] < 0x7F else { throw .invalidTarget }
            i += 1
        }
        guard i > targetStart, i < end else { throw .invalidRequestLine }
        let targetRange = targetStart..<i
        i += 1
        guard end - i == 8, p.equalsLowercased(i..<i + 5, "http/"), p[i + 6] == UInt8(ascii: "."),
              let major = digit(p[i + 5]), let minor = digit(p[i + 7]) else { throw .invalidVersion }
        guard major == 1 else { throw .unsupportedVersion }
        // The name is case-sensitive (RFC 9112 §2.3): "http/1.1" is not a version.
        guard p[i] == UInt8(ascii: "H"), p[i + 1] == UInt8(ascii: "T"), p[i + 2] == UInt8(ascii: "T"), p[i + 3] == UInt8(ascii: "P") else {
            throw .invalidVersion
        }
        return (method(p, methodRange), string(p, targetRange), (major, minor))
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5). Returns the name and trimmed value ranges.
    static func parseFieldLine(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParseError) -> (Range<Int>, Range<Int>) {
        // A line starting with whitespace is obs-fold, or whitespace after the start-line (§5.2, §2.2).
        guard !HTTPByteClass.isWhitespace(p[start]) else { throw .obsoleteLineFolding }
        var i = start
        while i < end, p[i] != HTTPByteClass.colon {
            let b = p[i]
            // No whitespace is allowed between the field name and colon (§5.1).
            if HTTPByteClass.isWhitespace(b) { throw .whitespaceBeforeColon }
            guard HTTPByteClass.isToken(b) else { throw .invalidFieldName }
            i += 1
        }
        guard i < end else { throw .missingColon }
        guard i > start else { throw .invalidFieldName }
        let name = start..<i
        var valueStart = i + 1
        while valueStart < end, HTTPByteClass.isWhitespace(p[valueStart]) { valueStart += 1 }
        var valueEnd = end
        while valueEnd > valueStart, HTTPByteClass.isWhitespace(p[valueEnd - 1]) { valueEnd -= 1 }
        for j in valueStart..<valueEnd where !HTTPByteClass.isFieldValueByte(p[j]) {
            throw .invalidFieldValue
        }
        return (name, valueStart..<valueEnd)
    }

    @inline(__always)
    private static func digit(_ b: UInt8) -> Int? {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") ? Int(b - UInt8(ascii: "0")) : nil
    }

    @inline(__always)
    static func string(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: p[range]), as: UTF8.self)
    }

    /// Common methods as literals; others decoded.
    private static func method(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        switch range.count {
        case 3 where p[range.lowerBound] == UInt8(ascii: "G") && p[range.lowerBound + 1] == UInt8(ascii: "E") && p[range.lowerBound + 2] == UInt8(ascii: "T"):
            "GET"
        case 4 where p[range.lowerBound] == UInt8(ascii: "P") && p[range.lowerBound + 1] == UInt8(ascii: "O") && p[range.lowerBound + 2] == UInt8(ascii: "S") && p[range.lowerBound + 3] == UInt8(ascii: "T"):
            "POST"
        case 4 where p[range.lowerBound] == UInt8(ascii: "H") && p[range.lowerBound + 1] == UInt8(ascii: "E") && p[range.lowerBound + 2] == UInt8(ascii: "A") && p[range.lowerBound + 3] == UInt8(ascii: "D"):
            "HEAD"
        default:
            string(p, range)
        }
    }
}

/// What the framing-relevant fields said, gathered while the fields are parsed.
private struct FramingFacts {
    var contentLength: Int?
    var contentLengthCount = 0
    var hasTransferEncoding = false
    var codingCount = 0
    var chunkedCount = 0
    var lastCodingIsChunked = false
    var connectionClose = false
    var connectionKeepAlive = false
    var expectsContinue = false
    var hostCount = 0

    mutating func note(_ p: UnsafeBufferPointer<UInt8>, name: Range<Int>, value: Range<Int>) throws(HTTPParseError) {
        switch name.count {
        case 4 where p.equalsLowercased(name, "host"):
            hostCount += 1
        case 6 where p.equalsLowercased(name, "expect"):
            expectsContinue = p.equalsLowercased(value, "100-continue")
        case 10 where p.equalsLowercased(name, "connection"):
            forEachListElement(p, value) { element in
                if p.equalsLowercased(element, "close") { connectionClose = true }
                if p.equalsLowercased(element, "keep-alive") { connectionKeepAlive = true }
            }
        case 14 where p.equalsLowercased(name, "content-length"):
            // RFC 9112 §6.3: a repeated Content-Length (even with the same value) is refused.
            contentLengthCount += 1
            guard contentLengthCount == 1 else { throw .multipleContentLength }
            contentLength = try Self.parseContentLength(p, value)
        case 17 where p.equalsLowercased(name, "transfer-encoding"):
            hasTransferEncoding = true
            forEachListElement(p, value) { element in
                codingCount += 1
                lastCodingIsChunked = p.equalsLowercased(element, "chunked")
                if lastCodingIsChunked { chunkedCount += 1 }
            }
        default:
            break
        }
    }

    /// `1*DIGIT`; no sign, no list, no whitespace inside. Values beyond `Int` saturate (→ 413 later).
    static func parseContentLength(_ p: UnsafeBufferPointer<UInt8>, _ value: Range<Int>) throws(HTTPParseError) -> Int {
        guard !value.isEmpty else { throw .invalidContentLength }
        var n = 0
        for i in value {
            let b = p[i]
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { throw .invalidContentLength }
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            n = (o1 || o2) ? Int.max : sum
        }
        return n
    }

    /// Calls `body` with each non-empty, OWS-trimmed element of a comma-separated list (RFC 9110 §5.6.1).
    func forEachListElement(_ p: UnsafeBufferPointer<UInt8>, _ value: Range<Int>, _ body: (Range<Int>) -> Void) {
        var i = value.lowerBound
        while i < value.upperBound {
            var elementEnd = i
            while elementEnd < value.upperBound, p[elementEnd] != UInt8(ascii: ",") { elementEnd += 1 }
            var s = i, e = elementEnd
            while s < e, HTTPByteClass.isWhitespace(p[s]) { s += 1 }
            while e > s, HTTPByteClass.isWhitespace(p[e - 1]) { e -= 1 }
            if s < e { body(s..<e) }
            i = elementEnd + 1
        }
    }

    func head(method: String, target: String, version: (major: Int, minor: Int), headers: HTTPHeaders, limits: HTTPRequestParser.Limits) throws(HTTPParseError) -> HTTPRequestHead {
        let isHTTP11 = version.minor >= 1
        // RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host.
        if isHTTP11, hostCount != 1 { throw .invalidHost }
        let framing: HTTPBodyFraming
        if hasTransferEncoding {
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
            guard isHTTP11 else { throw .transferEncodingInHTTP10 }
            // RFC 9112 §6.1: both present is a smuggling attempt; refuse rather than pick one.
            guard contentLengthCount == 0 else { throw .contentLengthWithTransferEncoding }
            // RFC 9112 §6.3: a request whose final coding is not chunked has no reliable length.
            guard lastCodingIsChunked else { throw .transferEncodingNotChunkedLast }
            // RFC 9112 §7: chunked must not be applied more than once.
            guard chunkedCount == 1 else { throw .chunkedMoreThanOnce }
            // RFC 9112 §6.1: other codings are not implemented (→ 501).
            guard codingCount == 1 else { throw .unsupportedTransferCoding }
            framing = .chunked
        } else if let contentLength, contentLength > 0 {
            // Refused before a byte of the body is read.
            guard contentLength <= limits.maxBodyBytes else { throw .payloadTooLarge }
            framing = .length(contentLength)
        } else {
            framing = .none
        }
        let keepAlive = isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return HTTPRequestHead(method: method, target: target, version: version, headers: headers,
                               keepAlive: keepAlive, expectsContinue: isHTTP11 && expectsContinue, framing: framing)
    }
}
