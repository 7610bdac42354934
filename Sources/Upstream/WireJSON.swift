// Decoding upstream JSON, for every protocol: failures become `UpstreamError.malformed`.
import Foundation
import JSONText

/// The JSON decoding every upstream dialect and interpreter uses: the project's strict `JSONReader`
/// (a repeated member name is refused at the top level), building only the members the shape reads.
enum WireJSON {
    static let options = JSONReader.Options(duplicateKeys: .refusedAtTopLevel)

    /// Decodes `text` as `type`, mapping any failure to `.malformed` naming `what` (else the type).
    static func decode<T: WireReadable>(_ type: T.Type, from text: String, what: String? = nil) throws(UpstreamError) -> T {
        try decode(type, from: Array(text.utf8), what: what)
    }

    /// Decodes `data` as `type`, mapping any failure to `.malformed` naming `what` (else the type).
    static func decode<T: WireReadable>(_ type: T.Type, from data: Data, what: String? = nil) throws(UpstreamError) -> T {
        try decode(type, from: Array(data), what: what)
    }

    /// Decodes `bytes` as `type`, mapping any failure to `.malformed` naming `what` (else the type).
    static func decode<T: WireReadable>(_ type: T.Type, from bytes: [UInt8], what: String? = nil) throws(UpstreamError) -> T {
        let names = T.wireMembers
        let found: [JSONValue?]
        do {
            found = try JSONReader.readMembers(bytes, named: names, options: options)
        } catch {
            throw .malformed("invalid JSON in \(what ?? String(describing: type)): \(JSONErrorText.describe(error))")
        }
        var members: [(String, JSONValue)] = []
        members.reserveCapacity(names.count)
        for (name, value) in zip(names, found) {
            if let value { members.append((name, value)) }
        }
        do {
            return try T(wire: WireObject(members: members))
        } catch {
            throw .malformed("invalid JSON in \(what ?? String(describing: type)): \(error.description)")
        }
    }
}
