// An ordered JSON value for responses and SSE events: stable key order, one line, no Foundation bridging.
import Foundation
import Telemetry

/// A JSON document with object keys kept in insertion order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    /// A string or `null`.
    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// A number or `null`.
    public static func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    /// Compact one-line serialisation (safe inside an SSE `data:` line: newlines are escaped).
    public func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    public var bytes: [UInt8] { Array(serialized().utf8) }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONValue.format(d)
        case .string(let s): out += LogLineFormatter.jsonString(s)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += "," }
                out += LogLineFormatter.jsonString(key)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }

    /// Finite doubles in a form every JSON parser accepts; non-finite become `null`.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 {
            return "\(Int(d)).0"
        }
        let shortest = "\(d)"
        guard shortest.contains("e") else { return shortest }
        // Plain decimal notation for small amounts (costs): 2.955e-05 → 0.00002955.
        var fixed = String(format: "%.15f", d)
        while fixed.hasSuffix("0") { fixed.removeLast() }
        if fixed.hasSuffix(".") { fixed += "0" }
        return fixed
    }
}

/// Rounds a USD amount for display (10 decimal places keeps sub-micro-dollar runs visible).
func roundedUSD(_ value: Double?) -> Double? {
    guard let value else { return nil }
    return (value * 1e10).rounded() / 1e10
}
