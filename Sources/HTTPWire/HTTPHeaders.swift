// Header fields as an ordered multi-map (duplicates matter for request smuggling checks).

/// Ordered header fields; names compare case-insensitively, original spelling is kept.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init() { fields = [] }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public var count: Int { fields.count }

    /// Reserves room for `count` fields (the parser knows how many lines it saw).
    public mutating func reserveCapacity(_ count: Int) { fields.reserveCapacity(count) }

    /// Appends a field (keeps any existing ones of the same name).
    public mutating func add(name: String, value: String) { fields.append((name: name, value: value)) }

    public mutating func remove(name: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// The first value of that name.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of that name, in order.
    /// `Retry-After` as delay-seconds (RFC 9110 §10.2.3); nil when absent or an HTTP date.
    public var retryAfterSeconds: Double? {
        self["Retry-After"].flatMap { Double(HTTPResponseParser.trimmed($0.utf8)) }
    }

    public func values(for name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func contains(name: String) -> Bool { self[name] != nil }

    /// Whether any field of that name lists `token` (comma-separated, OWS-trimmed, ASCII
    /// case-insensitive), e.g. `close` in `Connection: keep-alive, Close`.
    public func containsToken(_ token: String, inFieldsNamed name: String) -> Bool {
        fields.contains { field in
            field.name.caseInsensitiveEquals(name) && field.value.split(separator: ",").contains { element in
                var element = element
                while let first = element.first, first == " " || first == "\t" { element = element.dropFirst() }
                while let last = element.last, last == " " || last == "\t" { element = element.dropLast() }
                return String(element).caseInsensitiveEquals(token)
            }
        }
    }
}

extension String {
    /// ASCII case-insensitive comparison (header names are ASCII tokens).
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = self.utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 65 && x <= 90) ? x + 32 : x
            let ly = (y >= 65 && y <= 90) ? y + 32 : y
            if lx != ly { return false }
        }
        return true
    }
}
