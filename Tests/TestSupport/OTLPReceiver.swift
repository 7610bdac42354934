// A loopback OTLP/HTTP trace receiver for tests: decodes the JSON it gets, and can be made slow or failing.
import Foundation
import HTTPServer
import HTTPWire
import Synchronization
import Telemetry

/// Accepts `POST /v1/traces` on 127.0.0.1 and a free port, decodes each JSON
/// `ExportTraceServiceRequest` into `ReceivedSpan`s (independently of the exporter's own types), and
/// answers 200, or the status and delay set with `behave`. Stop it to make it unreachable.
public final class OTLPReceiver: Sendable {
    /// One span as a receiver sees it: ids as hex, attribute values as JSON gave them.
    public struct ReceivedSpan: Sendable {
        public var serviceName: String?
        public var traceId: String
        public var spanId: String
        public var parentSpanId: String?
        public var name: String
        public var kind: Int?
        public var startTimeUnixNano: String?
        public var endTimeUnixNano: String?
        public var statusCode: Int?
        public var statusMessage: String?
        /// key → `stringValue` text, `intValue` as Int, `doubleValue` as Double, `boolValue` as Bool.
        public var attributes: [String: AttributeValue]
    }

    public enum AttributeValue: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
    }

    /// One export request as received.
    public struct Export: Sendable {
        public var path: String
        public var headers: HTTPHeaders
        public var body: [UInt8]
    }

    private struct State {
        var exports: [Export] = []
        var spans: [ReceivedSpan] = []
        var status = 200
        var delay: Duration = .zero
        var decodeErrors: [String] = []
    }

    private final class Box: Sendable {
        let state = Mutex(State())
    }

    private let box = Box()
    private let server: HTTPServer

    public init() throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let box = self.box
        server = HTTPServer(configuration: configuration, logger: .noop) { request, _ in
            let (status, delay) = box.state.withLock { state -> (Int, Duration) in
                state.exports.append(Export(path: request.path, headers: request.headers, body: request.body))
                do {
                    if state.status == 200 {
                        // OTLP export is at-least-once: a batch whose answer came too late for the
                        // exporter is sent again. Keep each span once, as a collector would store it.
                        for span in try Self.decode(request.body) where !state.spans.contains(where: { $0.spanId == span.spanId }) {
                            state.spans.append(span)
                        }
                    }
                } catch {
                    state.decodeErrors.append(String(describing: error))
                }
                return (state.status, state.delay)
            }
            if delay > .zero { try? await Task.sleep(for: delay) }
            return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes(Array("{}".utf8)))
        }
        try server.start()
    }

    public var port: Int { server.port }
    /// The base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The full traces URL (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`).
    public var tracesURL: String { baseURL + "/v1/traces" }

    public var exports: [Export] { box.state.withLock { $0.exports } }
    public var spans: [ReceivedSpan] { box.state.withLock { $0.spans } }
    /// Bodies that were not a valid OTLP JSON export request.
    public var decodeErrors: [String] { box.state.withLock { $0.decodeErrors } }

    /// Answers later exports with `status` after `delay` (spans are recorded only with 200).
    public func behave(status: Int = 200, delay: Duration = .zero) {
        box.state.withLock {
            $0.status = status
            $0.delay = delay
        }
    }

    /// Waits until at least `count` spans arrived (or `patience` passed); returns what arrived.
    public func waitForSpans(_ count: Int) async -> [ReceivedSpan] {
        _ = await eventually { spans.count >= count }
        return spans
    }

    public func stop() async {
        await server.shutdownGracefully(deadline: .milliseconds(200))
    }

    public struct DecodeError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Decodes an OTLP JSON `ExportTraceServiceRequest` strictly enough to catch encoding mistakes:
    /// ids must be lowercase hex of the right length, kinds and status codes integers, 64-bit
    /// integers decimal strings.
    public static func decode(_ body: [UInt8]) throws -> [ReceivedSpan] {
        guard let root = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let resourceSpans = root["resourceSpans"] as? [[String: Any]]
        else { throw DecodeError(description: "no resourceSpans array") }
        var result: [ReceivedSpan] = []
        for resourceSpan in resourceSpans {
            let resource = resourceSpan["resource"] as? [String: Any]
            let resourceAttributes = try attributes(resource?["attributes"])
            guard case .string(let serviceName)? = resourceAttributes["service.name"] else {
                throw DecodeError(description: "no service.name resource attribute")
            }
            for scopeSpan in resourceSpan["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scopeSpan["spans"] as? [[String: Any]] ?? [] {
                    result.append(try decodeSpan(span, serviceName: serviceName))
                }
            }
        }
        return result
    }

    private static func decodeSpan(_ span: [String: Any], serviceName: String) throws -> ReceivedSpan {
        func hex(_ key: String, length: Int) throws -> String? {
            guard let value = span[key] else { return nil }
            guard let text = value as? String, text.count == length, text.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw DecodeError(description: "\(key) is not \(length) lowercase hex digits: \(value)")
            }
            return text
        }
        func nanos(_ key: String) throws -> String? {
            guard let value = span[key] else { return nil }
            guard let text = value as? String, UInt64(text) != nil else { throw DecodeError(description: "\(key) is not a decimal string: \(value)") }
            return text
        }
        func integer(_ value: Any?, _ what: String) throws -> Int? {
            guard let value else { return nil }
            guard let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded() else {
                throw DecodeError(description: "\(what) is not an integer: \(value)")
            }
            return number.intValue
        }
        guard let traceId = try hex("traceId", length: 32), let spanId = try hex("spanId", length: 16) else {
            throw DecodeError(description: "span without traceId or spanId")
        }
        let status = span["status"] as? [String: Any]
        return ReceivedSpan(
            serviceName: serviceName, traceId: traceId, spanId: spanId, parentSpanId: try hex("parentSpanId", length: 16),
            name: span["name"] as? String ?? "", kind: try integer(span["kind"], "kind"),
            startTimeUnixNano: try nanos("startTimeUnixNano"), endTimeUnixNano: try nanos("endTimeUnixNano"),
            statusCode: try integer(status?["code"], "status.code"), statusMessage: status?["message"] as? String,
            attributes: try attributes(span["attributes"]))
    }

    private static func attributes(_ value: Any?) throws -> [String: AttributeValue] {
        var result: [String: AttributeValue] = [:]
        for entry in value as? [[String: Any]] ?? [] {
            guard let key = entry["key"] as? String, let value = entry["value"] as? [String: Any], value.count == 1 else {
                throw DecodeError(description: "attribute without key or with other than one value: \(entry)")
            }
            // By member name: the JSON mapping says which AnyValue field is set.
            if let text = value["stringValue"] as? String {
                result[key] = .string(text)
            } else if let text = value["intValue"] as? String, let number = Int(text) {
                result[key] = .int(number)
            } else if let number = value["doubleValue"] as? NSNumber {
                result[key] = .double(number.doubleValue)
            } else if let flag = value["boolValue"] as? Bool {
                result[key] = .bool(flag)
            } else {
                throw DecodeError(description: "attribute \(key) has an unexpected value: \(value)")
            }
        }
        return result
    }
}
