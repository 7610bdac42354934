// Pieces of the Prometheus text exposition format 0.0.4: names, escaping, numbers.

/// Formatting and validation rules of the Prometheus text exposition format, version 0.0.4.
public enum PrometheusText {
    /// The `Content-Type` of a rendered exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A sample value as Prometheus parses it: integers without a fraction, other finite numbers in
    /// their shortest round-tripping form (`0.25`, `1e-05`), and `+Inf`, `-Inf`, `NaN`.
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return value.description
    }

    /// A label value between double quotes, with `\`, `"` and newline escaped.
    public static func quotedLabelValue(_ value: String) -> String {
        "\"" + escaped(value, quotes: true) + "\""
    }

    /// HELP text with `\` and newline escaped (quotes stay as they are in HELP lines).
    public static func escapedHelp(_ help: String) -> String {
        escaped(help, quotes: false)
    }

    /// `\` → `\\`, newline → `\n`, and `"` → `\"` when `quotes` (label values, not HELP text).
    private static func escaped(_ text: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// `name="value",other="value"` (no braces) for label names and values of the same length.
    static func labelPairs(names: [String], values: [String]) -> String {
        zip(names, values).map { "\($0)=\(quotedLabelValue($1))" }.joined(separator: ",")
    }

    /// Appends one sample line: `name{pairs} value` (or `name value` without labels).
    static func appendSample(name: String, labelPairs: String, value: String, to output: inout String) {
        output += name
        if !labelPairs.isEmpty {
            output += "{"
            output += labelPairs
            output += "}"
        }
        output += " "
        output += value
        output += "\n"
    }

    /// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetterOrUnderscore(first) || first == UInt8(ascii: ":") else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) || $0 == UInt8(ascii: ":") }
    }

    /// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with the reserved `__`.
    public static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetterOrUnderscore(first), !name.hasPrefix("__") else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) }
    }

    private static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
