// Usage history beyond the live window: time parsing and JSON/CSV rendering for /stats/usage and `threadmeter usage`.
import Foundation
import JSONText
import Metering

/// Parses `since`/`until`: Unix seconds, `YYYY-MM-DD` (UTC midnight) or ISO 8601 date-time.
enum UsageTime {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String, name: String) throws(ParseError) -> Double {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 { return seconds }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: text) { return date.timeIntervalSince1970 }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return date.timeIntervalSince1970 }
        iso.formatOptions = [.withFullDate]
        if let date = iso.date(from: text) { return date.timeIntervalSince1970 }
        throw ParseError(description: "\(name) must be Unix seconds, YYYY-MM-DD or an ISO 8601 date-time; got '\(text)'")
    }
}

/// Renders aggregated ledger buckets.
enum UsageReport {
    static func json(_ buckets: [UsageBucket], grouping: UsageGrouping, since: Double?, until: Double?) -> JSONValue {
        .object([
            ("group_by", .string(grouping.rawValue)),
            ("since", since.map(JSONValue.double) ?? .null),
            ("until", until.map(JSONValue.double) ?? .null),
            ("buckets", .array(buckets.map { bucket in
                .object([
                    ("key", .string(bucket.key)),
                    ("runs", .int(bucket.runs)),
                    ("input_tokens", .int(bucket.inputTokens)),
                    ("output_tokens", .int(bucket.outputTokens)),
                    ("total_tokens", .int(bucket.totalTokens)),
                    ("estimated_cost_usd", .double(roundedUSD(bucket.costUSD) ?? 0)),
                ])
            })),
        ])
    }

    static func csv(_ buckets: [UsageBucket], grouping: UsageGrouping) -> String {
        var out = "\(grouping.rawValue),runs,input_tokens,output_tokens,total_tokens,estimated_cost_usd\n"
        for b in buckets {
            out += "\(csvField(b.key)),\(b.runs),\(b.inputTokens),\(b.outputTokens),\(b.totalTokens),\(String(format: "%.10f", b.costUSD))\n"
        }
        return out
    }

    /// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets do not run it.
    static func csvField(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@".contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}
