// Decoding upstream JSON, for every protocol: failures become `UpstreamError.malformed`.
import Foundation

/// The JSON decoding every upstream dialect and interpreter uses.
enum WireJSON {
    private static let decoder = JSONDecoder()

    /// Decodes `text` as `type`, mapping any failure to `.malformed` naming `what` (else the type).
    static func decode<T: Decodable>(_ type: T.Type, from text: String, what: String? = nil) throws(UpstreamError) -> T {
        try decode(type, from: Data(text.utf8), what: what)
    }

    /// Decodes `data` as `type`, mapping any failure to `.malformed` naming `what` (else the type).
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String? = nil) throws(UpstreamError) -> T {
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw .malformed("invalid JSON in \(what ?? String(describing: type)): \(JSONErrorText.describe(error))")
        }
    }
}
