// JSON text for the harness's machine-readable report.
import Telemetry

/// Writes JSON text for the machine-readable report.
enum ReportJSON {
    static func string(_ value: String) -> String {
        LogLineFormatter.jsonString(value)
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}
