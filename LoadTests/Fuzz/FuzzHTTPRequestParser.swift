// libFuzzer target: HTTPWire's HTTPRequestParser fed whole and in random pieces, with the framing
// rules that block request smuggling checked on every request it accepts. Built by LoadTests/Fuzz/run.sh.

/// Input layout: byte 0 picks the limits, byte 1 seeds the split points, the rest is the connection's bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let limits = HTTPRequestParser.Limits(
        maxHeaderBytes: 64 + Int(data[0] & 0x0F) * 256,        // 64…3904
        maxBodyBytes: Int(data[0] >> 4) * 512,                  // 0…7680
        maxChunkLineBytes: 16 + Int(data[0] >> 4) * 16)
    let stream = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))

    // 1. Whole stream in one append.
    let whole = RequestTranscript.parse([stream[...]], limits: limits)
    // 2. The same bytes in random pieces (often one byte at a time) give the same transcript.
    var splitter = PieceLengths(seed: UInt64(data[1]) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(size))
    var pieces: [ArraySlice<UInt8>] = []
    var offset = 0
    while offset < stream.count {
        let length = min(stream.count - offset, splitter.next())
        pieces.append(stream[offset..<(offset + length)])
        offset += length
    }
    let split = RequestTranscript.parse(pieces, limits: limits)
    guard whole == split else {
        fatalError("split feeding differs from whole feeding:\nwhole \(whole)\nsplit \(split)")
    }

    // 3. Every accepted request obeys the framing rules, and re-encoding it canonically parses back
    //    to the same request.
    for request in whole.requests {
        RequestInvariants.check(request, limits: limits)
        let canonical = RequestInvariants.canonicalBytes(request)
        let reparsed = RequestTranscript.parse([canonical[...]], limits: HTTPRequestParser.Limits(
            maxHeaderBytes: max(limits.maxHeaderBytes, canonical.count), maxBodyBytes: limits.maxBodyBytes,
            maxChunkLineBytes: limits.maxChunkLineBytes))
        guard reparsed.requests.count == 1, reparsed.error == nil,
              RequestInvariants.sameExceptFraming(reparsed.requests[0], request) else {
            fatalError("canonical re-encoding of an accepted request does not parse back to it:\n\(request)\n→ \(reparsed)")
        }
    }
    return 0
}

/// Everything the parser produced for a connection's bytes.
struct RequestTranscript: Equatable, CustomStringConvertible {
    /// `head METHOD TARGET` and `request …` lines in order.
    var events: [String] = []
    var requests: [HTTPRequest] = []
    var error: HTTPParseError?

    static func parse(_ pieces: [ArraySlice<UInt8>], limits: HTTPRequestParser.Limits) -> RequestTranscript {
        var transcript = RequestTranscript()
        var parser = HTTPRequestParser(limits: limits)
        var pendingHead: HTTPRequestHead?
        feeding: for piece in pieces {
            parser.append(contentsOf: piece)
            while true {
                let event: HTTPRequestParser.Event?
                do {
                    event = try parser.next()
                } catch {
                    transcript.error = error
                    // Once failed, the parser must keep failing with the same error.
                    do {
                        _ = try parser.next()
                        fatalError("parser recovered after \(error)")
                    } catch let again {
                        guard again == error else { fatalError("parser failed with \(error), then \(again)") }
                    }
                    break feeding
                }
                guard let event else { break }
                switch event {
                case .head(let head):
                    guard pendingHead == nil else { fatalError("two heads without a request between them") }
                    pendingHead = head
                    transcript.events.append("head \(head.method) \(head.target) \(head.framing)")
                case .request(let request):
                    guard let head = pendingHead else { fatalError("a request without a head before it") }
                    guard head.method == request.method, head.target == request.target, head.headers == request.headers else {
                        fatalError("request differs from its head")
                    }
                    RequestInvariants.checkFraming(head, request)
                    pendingHead = nil
                    transcript.requests.append(request)
                    transcript.events.append("request \(request.method) \(request.target) body \(request.body.count)")
                }
            }
        }
        return transcript
    }

    var description: String { "\(events) error \(String(describing: error))" }
}

/// Rules every accepted request must satisfy (RFC 9112 §3, §5, §6).
enum RequestInvariants {
    static func isTchar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    static func check(_ request: HTTPRequest, limits: HTTPRequestParser.Limits) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTchar) else { fatalError("accepted method \(request.method.debugDescription)") }
        guard !request.target.isEmpty, request.target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            fatalError("accepted target \(request.target.debugDescription)")
        }
        // HTTP/1.x with any minor digit is HTTP/1.1-compatible (RFC 9110 §2.5); other majors are refused.
        guard request.version.major == 1, (0...9).contains(request.version.minor) else { fatalError("accepted version \(request.version)") }
        for field in request.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(isTchar) else { fatalError("accepted field name \(field.name.debugDescription)") }
            guard field.value.utf8.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else {
                fatalError("accepted control character in field value \(field.value.debugDescription)")
            }
            guard field.value.first != " " && field.value.first != "\t" && field.value.last != " " && field.value.last != "\t" else {
                fatalError("field value keeps surrounding whitespace \(field.value.debugDescription)")
            }
        }
        guard request.body.count <= limits.maxBodyBytes else { fatalError("body of \(request.body.count) over the \(limits.maxBodyBytes) limit") }
        if request.version.minor >= 1 {
            guard request.headers.values(for: "Host").count == 1 else { fatalError("HTTP/1.1 request without exactly one Host") }
        }
    }

    /// The smuggling rules: one unambiguous body length.
    static func checkFraming(_ head: HTTPRequestHead, _ request: HTTPRequest) {
        let lengths = request.headers.values(for: "Content-Length")
        let encodings = request.headers.values(for: "Transfer-Encoding")
        guard lengths.isEmpty || encodings.isEmpty else { fatalError("accepted Content-Length with Transfer-Encoding") }
        guard lengths.count <= 1 else { fatalError("accepted \(lengths.count) Content-Length fields") }
        if let length = lengths.first {
            guard let n = Int(length), n >= 0, length.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                fatalError("accepted Content-Length \(length.debugDescription)")
            }
            guard request.body.count == n else { fatalError("Content-Length \(n) but a body of \(request.body.count)") }
        }
        if !encodings.isEmpty {
            let codings = encodings.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: " \t").lowercased() }
            guard codings.last == "chunked", codings.filter({ $0 == "chunked" }).count == 1 else {
                fatalError("accepted Transfer-Encoding \(encodings)")
            }
            guard head.framing == .chunked else { fatalError("chunked request framed as \(head.framing)") }
            guard request.version.minor >= 1 else { fatalError("accepted Transfer-Encoding in HTTP/1.0") }
        } else if lengths.isEmpty {
            guard request.body.isEmpty else { fatalError("body without Content-Length or Transfer-Encoding") }
        }
    }

    /// The request as a client would send it with a Content-Length body and no transfer coding.
    static func canonicalBytes(_ request: HTTPRequest) -> [UInt8] {
        var text = "\(request.method) \(request.target) HTTP/\(request.version.major).\(request.version.minor)\r\n"
        for field in request.headers where !field.name.caseInsensitiveEquals("Content-Length") && !field.name.caseInsensitiveEquals("Transfer-Encoding") {
            text += "\(field.name): \(field.value)\r\n"
        }
        if !request.body.isEmpty { text += "Content-Length: \(request.body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + request.body
    }

    static func sameExceptFraming(_ a: HTTPRequest, _ b: HTTPRequest) -> Bool {
        func fields(_ r: HTTPRequest) -> [String] {
            r.headers.fields.filter { !$0.name.caseInsensitiveEquals("Content-Length") && !$0.name.caseInsensitiveEquals("Transfer-Encoding") }
                .map { "\($0.name): \($0.value)" }
        }
        return a.method == b.method && a.target == b.target && a.version == b.version && a.body == b.body && fields(a) == fields(b)
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// Pseudo-random piece lengths: mostly 1–3 bytes to hit every boundary, sometimes up to 256.
struct PieceLengths {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state % 5 == 0 ? Int((state >> 8) % 256) + 1 : Int((state >> 8) % 3) + 1
    }
}
