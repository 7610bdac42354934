// The body of POST /v1/query, decoded and validated before anything reaches the upstream.
import Foundation
import HTTPWire
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

    /// Checks `Content-Type`, decodes the JSON and validates every field (contract §1).
    public static func decode(contentType: String?, body: [UInt8]) throws(APIError) -> QueryRequest {
        if let contentType {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
            guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
                throw .unsupportedMediaType("Content-Type must be application/json, got '\(contentType)'")
            }
        }
        guard !body.isEmpty else { throw .badRequest("request body is empty; expected a JSON object with 'query'") }
        // JSONDecoder does not check the values it skips (unknown or repeated keys): invalid UTF-8,
        // bad escapes and raw control characters there passed. Check the whole text first (RFC 8259;
        // found by the json-query fuzz target, LoadTests/Fuzz).
        guard (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) != nil else {
            throw .badRequest("request body is not valid JSON")
        }
        if let name = DuplicateKeyScanner.firstDuplicate(in: body) {
            throw .badRequest("field '\(name)' appears more than once")
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(body))
        } catch let DecodingError.typeMismatch(_, context) {
            throw .badRequest("field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .badRequest("field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must not be null")
        } catch DecodingError.keyNotFound(let key, _) {
            throw .badRequest("field '\(key.stringValue)' is required")
        } catch {
            throw .badRequest("request body is not valid JSON")
        }
        guard let query = wire.query else { throw .badRequest("field 'query' is required") }
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .badRequest("field 'query' must not be empty")
        }
        for (name, value) in [("query", query), ("demand_stage", wire.demand_stage), ("accountName", wire.accountName),
                              ("additional_instructions", wire.additional_instructions)] {
            if let value, value.utf8.count > maxTextBytes {
                throw .badRequest("field '\(name)' is longer than \(maxTextBytes) bytes")
            }
        }
        var threadId = wire.threadId
        if threadId == "" { threadId = nil }
        if let threadId, !ThreadIdentifier.isWellFormed(threadId) {
            throw .badRequest("threadId must match ^[A-Za-z0-9_-]{1,64}$")
        }
        return QueryRequest(
            query: query,
            threadId: threadId,
            demandStage: wire.demand_stage.flatMap { $0.isEmpty ? nil : $0 },
            accountName: wire.accountName.flatMap { $0.isEmpty ? nil : $0 },
            additionalInstructions: wire.additional_instructions.flatMap { $0.isEmpty ? nil : $0 },
            stream: wire.stream ?? true
        )
    }

    /// The wire shape; every field optional so that type errors and missing fields get distinct messages.
    private struct Wire: Decodable {
        var query: String?
        var threadId: String?
        var demand_stage: String?
        var accountName: String?
        var additional_instructions: String?
        var stream: Bool?

        enum CodingKeys: String, CodingKey {
            case query, threadId, demand_stage, accountName, additional_instructions, stream
        }

        init(from decoder: any Decoder) throws {
            // A top-level non-object (array, string, number) is a type error, not "missing query".
            let container = try decoder.container(keyedBy: CodingKeys.self)
            query = try container.decodeIfPresent(String.self, forKey: .query)
            threadId = try container.decodeIfPresent(String.self, forKey: .threadId)
            demand_stage = try container.decodeIfPresent(String.self, forKey: .demand_stage)
            accountName = try container.decodeIfPresent(String.self, forKey: .accountName)
            additional_instructions = try container.decodeIfPresent(String.self, forKey: .additional_instructions)
            stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        }
    }
}
