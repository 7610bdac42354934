// A small structured logger: a value type over a pluggable sink, passed explicitly (no global bootstrap).
import ByteAppending
import Foundation
import JSONText
import Synchronization

/// Severity, ordered from chattiest to most severe.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses `trace|debug|info|notice|warning|warn|error|critical` (case-insensitive).
    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "notice": self = .notice
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: return nil
        }
    }

    /// The name padded with spaces to seven characters (text log lines line up).
    public var paddedName: String {
        switch self {
        case .trace: "trace  "
        case .debug: "debug  "
        case .info: "info   "
        case .notice: "notice "
        case .warning: "warning"
        case .error: "error  "
        case .critical: "critical"
        }
    }

    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }
}

/// One emitted log line before formatting.
public struct LogRecord: Sendable {
    public var time: Date
    public var level: LogLevel
    public var label: String
    public var message: String
    /// Ordered key/value pairs (order is kept in the output).
    public var metadata: [(String, String)]

    public init(time: Date, level: LogLevel, label: String, message: String, metadata: [(String, String)]) {
        self.time = time
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }
}

/// Where log records go.
public protocol LogSink: Sendable {
    func emit(_ record: LogRecord)
}

/// A logger value: level threshold, label and metadata travel with it.
public struct Logger: Sendable {
    public var label: String
    public var level: LogLevel
    public var metadata: [(String, String)]
    public let sink: any LogSink

    public init(label: String, level: LogLevel = .info, sink: any LogSink) {
        self.label = label
        self.level = level
        self.metadata = []
        self.sink = sink
    }

    /// A logger that drops everything.
    public static let noop = Logger(label: "noop", level: .critical, sink: NoopLogSink())

    /// A copy with one more metadata pair.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata.append((key, value))
        return copy
    }

    /// A copy with another label.
    public func labelled(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    @inlinable
    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) {
        guard level >= self.level else { return }
        sink.emit(LogRecord(time: Date(), level: level, label: label, message: message(),
                            metadata: self.metadata.isEmpty ? metadata : self.metadata + metadata))
    }

    public func trace(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) { log(.trace, message(), metadata) }
    public func debug(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) { log(.debug, message(), metadata) }
    public func info(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) { log(.info, message(), metadata) }
    public func notice(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) { log(.notice, message(), metadata) }
    public func warning(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) { log(.warning, message(), metadata) }
    public func error(_ message: @autoclosure () -> String, _ metadata: [(String, String)] = []) { log(.error, message(), metadata) }
}

/// Drops every record.
public struct NoopLogSink: LogSink {
    public init() {}
    public func emit(_ record: LogRecord) {}
}

/// Keeps records in memory; for tests.
public final class MemoryLogSink: LogSink {
    private let storage = Mutex<[LogRecord]>([])
    public init() {}
    public func emit(_ record: LogRecord) { storage.withLock { $0.append(record) } }
    public var records: [LogRecord] { storage.withLock { $0 } }
}

/// Formats a record as a text or JSON line (without the newline).
public enum LogLineFormatter {
    public static func format(_ record: LogRecord, as format: LogFormat) -> String {
        switch format {
        case .text:
            var line = iso8601(record.time)
            line.reserveCapacity(96 + record.message.utf8.count + record.metadata.count * 24)
            line += " "
            line += record.level.paddedName
            line += " ["
            line += record.label
            line += "] "
            line += record.message
            for (key, value) in record.metadata {
                line += " "
                line += key
                line += "="
                line += textValue(value)
            }
            return line
        case .json:
            var line = "{\"time\":\"\(iso8601(record.time))\",\"level\":\"\(record.level.name)\",\"label\":\(jsonString(record.label)),\"message\":\(jsonString(record.message))"
            for (key, value) in record.metadata {
                line += ",\(jsonString(key)):\(jsonValue(value))"
            }
            line += "}"
            return line
        }
    }

    /// The `.text` line of `format(_:as:)`, appended as UTF-8 bytes (no intermediate `String`).
    public static func appendText(_ record: LogRecord, to out: inout [UInt8]) {
        Timestamps.appendISO8601(record.time, to: &out)
        out.append(UInt8(ascii: " "))
        out.append(utf8: record.level.paddedName)
        out.append(literal: " [")
        out.append(utf8: record.label)
        out.append(literal: "] ")
        out.append(utf8: record.message)
        for (key, value) in record.metadata {
            out.append(UInt8(ascii: " "))
            out.append(utf8: key)
            out.append(UInt8(ascii: "="))
            if needsQuoting(value) {
                JSONValue.quote(value, into: &out)
            } else {
                out.append(utf8: value)
            }
        }
    }

    static func textValue(_ value: String) -> String {
        needsQuoting(value) ? jsonString(value) : value
    }

    /// Whether a text-format value must be written as a JSON string: empty, or with a space, quote,
    /// `=` or line break.
    static func needsQuoting(_ value: String) -> Bool {
        // Fast byte pre-check (space, quote, '=', CR/LF/VT/FF, any non-ASCII), then the exact rule.
        if value.isEmpty { return true }
        var copy = value
        let suspect = copy.withUTF8 { utf8 in
            utf8.contains { $0 == 0x20 || $0 == 0x22 || $0 == 0x3D || (0x0A...0x0D).contains($0) || $0 >= 0x80 }
        }
        return suspect && value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
    }

    /// Integers and decimals are emitted as JSON numbers so log pipelines can sum them.
    static func jsonValue(_ value: String) -> String {
        if !value.isEmpty, value.count < 24, Double(value) != nil,
           value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
           value.first != ".", value.last != ".", !(value.hasPrefix("0") && value.count > 1 && !value.hasPrefix("0.")),
           !(value.hasPrefix("-0") && value.count > 2 && !value.hasPrefix("-0.")) {
            return value
        }
        return jsonString(value)
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    public static func jsonString(_ value: String) -> String {
        JSONValue.quoted(value)
    }

    static func iso8601(_ date: Date) -> String {
        Timestamps.iso8601(date)
    }
}
