// A JSON value rendered exactly like the recorded upstream (Python-style ", " and ": " separators).
import Telemetry

/// An ordered JSON value; `render()` matches the byte layout of the upstream fixtures
/// (`{"a": 1, "b": [1, 2]}`, non-ASCII characters written as UTF-8, floats like `1.0`).
public indirect enum MockJSON: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([MockJSON])
    case object([(String, MockJSON)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }

    public static func == (lhs: MockJSON, rhs: MockJSON) -> Bool { lhs.render() == rhs.render() }

    /// An optional string as a string or `null`.
    static func optional(_ value: String?) -> MockJSON { value.map(MockJSON.string) ?? .null }
    static func optional(_ value: Int?) -> MockJSON { value.map(MockJSON.int) ?? .null }

    /// String metadata as an object.
    static func metadata(_ values: [(String, String)]) -> MockJSON { .object(values.map { ($0.0, .string($0.1)) }) }

    public func render() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch self {
        case .string(let text): Self.quote(text, into: &out)
        case .int(let value): out += String(value)
        case .double(let value): out += String(value)  // Swift and Python both print the shortest form: 1.0, 0.7
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += ", " }
                item.render(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { out += ", " }
                Self.quote(key, into: &out)
                out += ": "
                value.render(into: &out)
            }
            out += "}"
        }
    }

    static func quote(_ text: String, into out: inout String) {
        out += LogLineFormatter.jsonString(text)
    }
}
