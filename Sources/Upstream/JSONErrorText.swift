// Short, readable descriptions of JSON decoding failures for upstream error messages.

/// Short descriptions of decoding errors (the default ones are long and nested).
enum JSONErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context): "wrong type at \(path(context))"
        case DecodingError.valueNotFound(_, let context): "null at \(path(context))"
        case DecodingError.dataCorrupted(let context): context.codingPath.isEmpty ? "not JSON" : "bad value at \(path(context))"
        default: String(describing: error)
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "top level" : path
    }
}
