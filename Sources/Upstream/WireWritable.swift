// Upstream request bodies written with the project's JSON writer (no Foundation encoding per request).
import JSONText

/// An upstream JSON request body.
protocol WireWritable {
    /// The body as a JSON value: members in a fixed order, absent optionals left out.
    var wireJSON: JSONValue { get }
}

extension WireWritable {
    /// `[String: String]` as an object with its members sorted by name (a stable text).
    static func object(_ dictionary: [String: String]) -> JSONValue {
        .object(dictionary.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}

extension EmptyBody: WireWritable {
    var wireJSON: JSONValue { .object([]) }
}

extension MetadataBody: WireWritable {
    var wireJSON: JSONValue { .object([("metadata", Self.object(metadata))]) }
}

extension RoleMessage: WireWritable {
    var wireJSON: JSONValue { .object([("role", .string(role)), ("content", .string(content))]) }
}

extension AssistantsWire.RunCreate: WireWritable {
    var wireJSON: JSONValue {
        var members: [(String, JSONValue)] = [("assistant_id", .string(assistantId)), ("stream", .bool(stream))]
        if let additionalInstructions { members.append(("additional_instructions", .string(additionalInstructions))) }
        members.append(("metadata", Self.object(metadata)))
        return .object(members)
    }
}

extension ResponsesWire.ResponseCreate: WireWritable {
    var wireJSON: JSONValue {
        var members: [(String, JSONValue)] = [
            ("model", .string(model)), ("conversation", .string(conversation)), ("input", .array(input.map(\.wireJSON))),
        ]
        if let instructions { members.append(("instructions", .string(instructions))) }
        members.append(("stream", .bool(stream)))
        members.append(("metadata", Self.object(metadata)))
        return .object(members)
    }
}

extension JSONValue: WireWritable {
    /// A body given as a value as it is (raw calls, tests).
    var wireJSON: JSONValue { self }
}
