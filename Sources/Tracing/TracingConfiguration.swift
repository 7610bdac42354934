// OTLP trace export settings read from the OpenTelemetry SDK environment variables, defaults in one place.
import Foundation
import Telemetry

/// Where and how spans are exported. Defaults live here and only here.
public struct TracingConfiguration: Sendable, Equatable {
    /// The OTLP/HTTP wire encodings (`OTEL_EXPORTER_OTLP_PROTOCOL`).
    public enum WireProtocol: String, Sendable, Equatable {
        case httpJSON = "http/json"
        case httpProtobuf = "http/protobuf"

        /// The request's `Content-Type`.
        public var contentType: String {
            switch self {
            case .httpJSON: "application/json"
            case .httpProtobuf: "application/x-protobuf"
            }
        }
    }

    /// One extra request header (`OTEL_EXPORTER_OTLP_HEADERS`), in the order given.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The full URL spans are posted to (…`/v1/traces`).
    public var endpoint: URL
    public var wireProtocol: WireProtocol = .httpJSON
    public var headers: [Header] = []
    /// The `service.name` resource attribute.
    public var serviceName: String = "threadmeter"
    /// Queue, batches and retries: 512 spans per request (the OpenTelemetry SDKs' default) or a
    /// partial batch after 1 s; with this backoff and `requestTimeout`, a batch is delivered within
    /// 10 s of its first attempt whenever the receiver answers in time.
    public var batching = BatchPolicy(capacity: 2_048, batchSize: 512, flushInterval: 1, maxAttempts: 4, initialBackoff: 0.25, maxBackoff: 2)
    /// Seconds one export request may take.
    public var requestTimeout: Double = 5

    public init(endpoint: URL) {
        self.endpoint = endpoint
    }

    /// Reads `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is, preferred) or
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL: `/v1/traces` is appended), `OTEL_EXPORTER_OTLP_HEADERS`
    /// (and `…_TRACES_HEADERS`, whose names win), `OTEL_EXPORTER_OTLP_PROTOCOL` (and `…_TRACES_PROTOCOL`)
    /// and `OTEL_SERVICE_NAME`. Nil (no export) when neither endpoint is set.
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> TracingConfiguration? {
        let value = { (name: String) -> String? in
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        let endpoint: URL
        if let full = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            endpoint = try httpURL(full, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        } else if let base = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            endpoint = try httpURL(tracesURL(base: base), "OTEL_EXPORTER_OTLP_ENDPOINT")
        } else {
            return nil
        }
        var configuration = TracingConfiguration(endpoint: endpoint)
        for variable in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let name = value(variable) else { continue }
            guard let wireProtocol = WireProtocol(rawValue: name) else {
                throw ConfigurationError(variable: variable, message: "must be http/json or http/protobuf (grpc is not supported), got \(name)")
            }
            configuration.wireProtocol = wireProtocol
            break
        }
        let general = try value("OTEL_EXPORTER_OTLP_HEADERS").map { text throws(ConfigurationError) in try headers(text, "OTEL_EXPORTER_OTLP_HEADERS") } ?? []
        let traces = try value("OTEL_EXPORTER_OTLP_TRACES_HEADERS").map { text throws(ConfigurationError) in try headers(text, "OTEL_EXPORTER_OTLP_TRACES_HEADERS") } ?? []
        let overridden = Set(traces.map { $0.name.lowercased() })
        configuration.headers = general.filter { !overridden.contains($0.name.lowercased()) } + traces
        if let name = value("OTEL_SERVICE_NAME") { configuration.serviceName = name }
        return configuration
    }

    /// `base` + `/v1/traces`, with exactly one slash between them.
    public static func tracesURL(base: String) -> String {
        var base = Substring(base)
        while base.hasSuffix("/") { base = base.dropLast() }
        return base + "/v1/traces"
    }

    /// Parses `k1=v1,k2=v2`: names and values trimmed, values percent-decoded; empty entries skipped.
    public static func headers(_ text: String, _ variable: String) throws(ConfigurationError) -> [Header] {
        var result: [Header] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError(variable: variable, message: "entries must be name=value, got \(trimmed)")
            }
            let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let rawValue = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw ConfigurationError(variable: variable, message: "header name \(name.isEmpty ? "(empty)" : name) is not a valid HTTP field name")
            }
            guard let decoded = rawValue.removingPercentEncoding,
                  !decoded.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F })
            else {
                throw ConfigurationError(variable: variable, message: "the value of \(name) is not valid percent-encoding or holds control characters")
            }
            result.append(Header(name, decoded))
        }
        return result
    }

    private static func httpURL(_ text: String, _ variable: String) throws(ConfigurationError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false
        else {
            throw ConfigurationError(variable: variable, message: "must be an http:// or https:// URL with a host, got \(text)")
        }
        return url
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// A tracing setting that cannot be used: a startup error naming the variable.
    public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
        public var variable: String
        public var message: String
        public var description: String { "\(variable) \(message)" }

        public init(variable: String, message: String) {
            self.variable = variable
            self.message = message
        }
    }
}
