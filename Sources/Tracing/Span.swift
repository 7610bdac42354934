// A finished span, as exported: ids, name, kind, times, attributes, status.

/// One finished span. Times are Unix nanoseconds.
public struct Span: Sendable, Equatable {
    /// OTLP `SpanKind` values.
    public enum Kind: Int, Sendable {
        case `internal` = 1
        case server = 2
        case client = 3
    }

    /// OTLP `Status`: code `UNSET`=0, `OK`=1, `ERROR`=2, and a message.
    public struct Status: Sendable, Equatable {
        public enum Code: Int, Sendable {
            case unset = 0
            case ok = 1
            case error = 2
        }

        public var code: Code
        public var message: String?

        public init(code: Code, message: String? = nil) {
            self.code = code
            self.message = message
        }

        public static let unset = Status(code: .unset)
    }

    public var traceID: TraceID
    public var spanID: SpanID
    public var parentSpanID: SpanID?
    public var name: String
    public var kind: Kind
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64
    /// In insertion order; keys are unique.
    public var attributes: [SpanAttribute]
    public var status: Status

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID? = nil, name: String, kind: Kind,
        startTimeUnixNano: UInt64, endTimeUnixNano: UInt64, attributes: [SpanAttribute] = [], status: Status = .unset
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.attributes = attributes
        self.status = status
    }

    /// The value of the attribute `key`, if set.
    public subscript(attribute key: String) -> SpanAttribute.Value? {
        attributes.first { $0.key == key }?.value
    }
}

/// A key and a string, integer, double or boolean value (OTLP `KeyValue` with an `AnyValue`).
public struct SpanAttribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }
}
