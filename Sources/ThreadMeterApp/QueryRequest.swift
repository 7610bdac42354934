// The body of POST /v1/query, read in one pass from the strict JSON reader and validated.
import Foundation
import JSONText
import Upstream

/// A validated query.
public struct QueryRequest: Sendable, Equatable {
    public var query: String
    /// nil starts a new thread (`threadId` absent or `""`).
    public var threadId: String?
    public var demandStage: String?
    public var accountName: String?
    public var additionalInstructions: String?
    public var stream: Bool

    /// Largest accepted `query` / instructions text, in UTF-8 bytes (the body limit bounds it too).
    static let maxTextBytes = 256 * 1024

    /// How the body is read: strict RFC 8259 text; a repeated top-level member is refused, because
    /// readers disagree on which value wins (a proxy in front could route by one thread while we bill
    /// another). Deeper values are not read by the service, so they are only checked to be JSON.
    static let readerOptions = JSONReader.Options(maxDepth: 512, duplicateKeys: .refusedAtTopLevel)

    /// Checks `Content-Type`, reads the JSON and validates every field (contract §1).
    public static func decode(contentType: String?, body: [UInt8]) throws(APIError) -> QueryRequest {
        if let contentType {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
                TextScan.trimmingWhitespace($0).lowercased()
            } ?? ""
            guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
                throw .unsupportedMediaType("Content-Type must be application/json, got '\(contentType)'")
            }
        }
        guard !body.isEmpty else { throw .badRequest("request body is empty; expected a JSON object with 'query'") }
        let document: JSONValue
        do {
            document = try JSONReader.read(body, options: readerOptions)
        } catch {
            if case .duplicateKey(let name) = error.reason { throw .badRequest("field '\(name)' appears more than once") }
            throw .badRequest("request body is not valid JSON")
        }
        guard let members = document.members else { throw .badRequest("request body must be a JSON object") }
        var fields = Fields()
        for (name, value) in members {
            switch name {
            case "query": fields.query = try string(value, name)
            case "threadId": fields.threadId = try string(value, name)
            case "demand_stage": fields.demandStage = try string(value, name)
            case "accountName": fields.accountName = try string(value, name)
            case "additional_instructions": fields.additionalInstructions = try string(value, name)
            case "stream":
                switch value {
                case .bool(let flag): fields.stream = flag
                case .null: break
                default: throw .badRequest("field 'stream' has the wrong type")
                }
            default: continue  // unknown members are ignored
            }
        }
        return try fields.validated()
    }

    /// A string member; `null` counts as absent.
    private static func string(_ value: JSONValue, _ name: String) throws(APIError) -> String? {
        switch value {
        case .string(let text): return text
        case .null: return nil
        default: throw .badRequest("field '\(name)' has the wrong type")
        }
    }

    /// The members as read, before validation.
    private struct Fields {
        var query: String?
        var threadId: String?
        var demandStage: String?
        var accountName: String?
        var additionalInstructions: String?
        var stream: Bool?

        func validated() throws(APIError) -> QueryRequest {
            guard let query else { throw .badRequest("field 'query' is required") }
            guard TextScan.hasNonWhitespace(query) else {
                throw .badRequest("field 'query' must not be empty")
            }
            for (name, value) in [("query", query), ("demand_stage", demandStage), ("accountName", accountName),
                                  ("additional_instructions", additionalInstructions)] {
                if let value, value.utf8.count > maxTextBytes {
                    throw .badRequest("field '\(name)' is longer than \(maxTextBytes) bytes")
                }
            }
            let thread = threadId == "" ? nil : threadId
            if let thread, !ThreadIdentifier.isWellFormed(thread) {
                throw .badRequest("threadId must match ^[A-Za-z0-9_-]{1,64}$")
            }
            return QueryRequest(
                query: query,
                threadId: thread,
                demandStage: demandStage.flatMap { $0.isEmpty ? nil : $0 },
                accountName: accountName.flatMap { $0.isEmpty ? nil : $0 },
                additionalInstructions: additionalInstructions.flatMap { $0.isEmpty ? nil : $0 },
                stream: stream ?? true
            )
        }
    }
}

/// `trimmingCharacters(in:)`'s answers without a trip through `NSString` (which, on Linux, copies and
/// converts the text: ~11% of the service's time between a query's request and its first upstream
/// call). ASCII is decided here; any other scalar is asked of the same `CharacterSet`, so the
/// answers are Foundation's own.
enum TextScan {
    /// Whether `text` keeps a character once `.whitespacesAndNewlines` are trimmed.
    static func hasNonWhitespace(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where !isWhitespaceOrNewline(scalar) {
            return true
        }
        return false
    }

    /// `text.trimmingCharacters(in: .whitespaces)`.
    static func trimmingWhitespace(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isWhitespace($0) }) ?? first
        return String(scalars[first...last])
    }

    /// `CharacterSet.whitespacesAndNewlines.contains(_:)`: tab, LF, VT, FF, CR and space in ASCII.
    static func isWhitespaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
        return CharacterSet.whitespacesAndNewlines.contains(scalar)
    }

    /// `CharacterSet.whitespaces.contains(_:)`: tab and space in ASCII.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value == 0x20 || scalar.value == 0x09 }
        return CharacterSet.whitespaces.contains(scalar)
    }
}
