// Upstream JSON shapes read with the project's own reader (no Foundation decoding on the hot path).
import JSONText

/// An upstream JSON object shape, read from the members of a `JSONValue` object.
protocol WireReadable {
    /// The top-level members `init(wire:)` reads. When a whole text is decoded as this type only
    /// these members are built; the others are checked as strictly but skipped.
    static var wireMembers: [String] { get }
    /// Reads the shape; missing required fields, `null` where a value is required and wrong types throw.
    init(wire: WireObject) throws(WireShapeError)
}

/// Why a JSON value does not have the shape asked for, at a member path (`usage.prompt_tokens`).
struct WireShapeError: Error, CustomStringConvertible {
    enum Kind { case missingField, null, wrongType }

    var kind: Kind
    /// Member names (and array indexes) from the top level down.
    var path: [String]

    /// The same wording `JSONErrorText` gives Foundation's decoding errors.
    var description: String {
        let where_ = path.isEmpty ? "top level" : path.joined(separator: ".")
        return switch kind {
        case .missingField: "missing field \"\(path.last ?? "")\""
        case .null: "null at \(where_)"
        case .wrongType: "wrong type at \(where_)"
        }
    }

    /// This error as seen from one level up, under `key`.
    func under(_ key: String) -> WireShapeError { WireShapeError(kind: kind, path: [key] + path) }
}

/// The members of one JSON object with typed, path-reporting accessors.
struct WireObject {
    let members: [(String, JSONValue)]

    init(members: [(String, JSONValue)]) {
        self.members = members
    }

    /// `value`, which must be an object.
    init(_ value: JSONValue) throws(WireShapeError) {
        guard case .object(let members) = value else { throw WireShapeError(kind: .wrongType, path: []) }
        self.members = members
    }

    /// The first member named `key`.
    subscript(key: String) -> JSONValue? {
        for member in members where member.0 == key { return member.1 }
        return nil
    }

    func string(_ key: String) throws(WireShapeError) -> String {
        guard let value = self[key] else { throw WireShapeError(kind: .missingField, path: [key]) }
        guard let text = value.stringValue else { throw WireShapeError(kind: value.isNull ? .null : .wrongType, path: [key]) }
        return text
    }

    /// nil when missing or `null`.
    func optionalString(_ key: String) throws(WireShapeError) -> String? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw WireShapeError(kind: .wrongType, path: [key]) }
        return text
    }

    func int(_ key: String) throws(WireShapeError) -> Int {
        guard let value = self[key] else { throw WireShapeError(kind: .missingField, path: [key]) }
        guard let n = value.intValue else { throw WireShapeError(kind: value.isNull ? .null : .wrongType, path: [key]) }
        return n
    }

    /// nil when missing or `null`.
    func optionalInt(_ key: String) throws(WireShapeError) -> Int? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let n = value.intValue else { throw WireShapeError(kind: .wrongType, path: [key]) }
        return n
    }

    func object<T: WireReadable>(_ key: String, as type: T.Type = T.self) throws(WireShapeError) -> T {
        guard let value = self[key] else { throw WireShapeError(kind: .missingField, path: [key]) }
        guard !value.isNull else { throw WireShapeError(kind: .null, path: [key]) }
        return try Self.read(T.self, from: value, at: key)
    }

    /// nil when missing or `null`.
    func optionalObject<T: WireReadable>(_ key: String, as type: T.Type = T.self) throws(WireShapeError) -> T? {
        guard let value = self[key], !value.isNull else { return nil }
        return try Self.read(T.self, from: value, at: key)
    }

    /// An array of objects; nil when missing or `null`.
    func optionalArray<T: WireReadable>(_ key: String, of type: T.Type = T.self) throws(WireShapeError) -> [T]? {
        guard let value = self[key], !value.isNull else { return nil }
        guard case .array(let items) = value else { throw WireShapeError(kind: .wrongType, path: [key]) }
        var result: [T] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                result.append(try Self.read(T.self, from: item, at: String(index)))
            } catch {
                throw error.under(key)
            }
        }
        return result
    }

    private static func read<T: WireReadable>(_ type: T.Type, from value: JSONValue, at key: String) throws(WireShapeError) -> T {
        do {
            return try T(wire: WireObject(value))
        } catch {
            throw error.under(key)
        }
    }
}
