// A path template: literal segments, `{name}` parameters, and a trailing `*` for "anything below".
import HTTPWire

/// A path template such as `/stats/threads/{id}` or `/v1/threads/{id}/runs/{run_id}`; a last
/// segment `*` matches zero or more further segments (`/admin/*`). Matching works on the raw path, so
/// `%2F` never splits a segment; each parameter is percent-decoded once.
struct RoutePattern: Sendable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest
    }

    let segments: [Segment]
    /// The template as written: the route label in metrics and logs (never an id).
    let description: String
    /// How specific the template is, segment by segment (literal 2 > parameter 1 > rest 0): among
    /// templates matching one path, the most specific wins.
    let specificity: [Int]

    init(_ template: String) {
        description = template
        segments = RoutePattern.split(template).map { part in
            if part == "*" { return .rest }
            if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        specificity = segments.map { segment in
            switch segment {
            case .literal: 2
            case .parameter: 1
            case .rest: 0
            }
        }
    }

    /// Ends in `*`: matches everything below its prefix.
    var isCatchAll: Bool { segments.last == .rest }

    /// The parameters when `rawPath` matches, else nil. Trailing slashes are ignored.
    func match(_ rawPath: String) -> [String: String]? {
        match(parts: RoutePattern.split(rawPath))
    }

    /// The parameters when a path split with `split(_:)` matches, else nil: a table splits a path
    /// once for all its patterns.
    func match(parts: [Substring]) -> [String: String]? {
        // Most patterns fail on the segment count alone.
        if isCatchAll ? parts.count < segments.count - 1 : parts.count != segments.count { return nil }
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .rest:
                return parameters
            case .literal(let text):
                guard index < parts.count, parts[index] == text else { return nil }
            case .parameter(let name):
                guard index < parts.count else { return nil }
                let raw = String(parts[index])
                parameters[name] = PercentDecoding.decode(raw) ?? raw
            }
        }
        return parts.count == segments.count ? parameters : nil
    }

    /// The segments after the leading `/`, trailing empty ones dropped (split on bytes: `/` is ASCII).
    static func split(_ path: String) -> [Substring] {
        var parts: [Substring] = []
        var first = true
        for piece in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if first { first = false; continue }
            parts.append(Substring(piece))
        }
        while parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }
}
