// Test helper: what a parser produced, as comparable lines, for any way of splitting the input.
@testable import HTTPWire

/// Feeds `input` in pieces cut at `cuts` and records every event (and a final error) as a line.
func transcript(_ input: [UInt8], cuts: [Int] = [], limits: HTTPRequestParser.Limits = .init()) -> [String] {
    var parser = HTTPRequestParser(limits: limits)
    var lines: [String] = []
    var start = 0
    for end in cuts + [input.count] where end >= start {
        parser.append(contentsOf: input[start..<end])
        start = end
        do {
            while let event = try parser.next() {
                lines.append(describe(event))
            }
        } catch {
            lines.append("error \(error)")
            return lines
        }
    }
    return lines
}

func transcript(_ input: String, cuts: [Int] = [], limits: HTTPRequestParser.Limits = .init()) -> [String] {
    transcript(Array(input.utf8), cuts: cuts, limits: limits)
}

/// The transcript of feeding everything at once, checked against every two-piece split and
/// against byte-by-byte feeding: all must be identical.
func splitInvariantTranscript(_ input: String, limits: HTTPRequestParser.Limits = .init()) -> (whole: [String], mismatches: [Int]) {
    let bytes = Array(input.utf8)
    let whole = transcript(bytes, limits: limits)
    var mismatches: [Int] = []
    for cut in 0...bytes.count where transcript(bytes, cuts: [cut], limits: limits) != whole {
        mismatches.append(cut)
    }
    if transcript(bytes, cuts: Array(0...bytes.count), limits: limits) != whole {
        mismatches.append(-1)
    }
    return (whole, mismatches)
}

func describe(_ event: HTTPRequestParser.Event) -> String {
    switch event {
    case .head(let head):
        let fields = head.headers.fields.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
        return "head \(head.method) \(head.target) HTTP/\(head.version.major).\(head.version.minor) keepAlive=\(head.keepAlive) continue=\(head.expectsContinue) framing=\(head.framing) [\(fields)]"
    case .request(let request):
        return "request \(request.method) \(request.target) body=\(String(decoding: request.body, as: UTF8.self))"
    }
}
