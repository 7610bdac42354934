// A request the mock upstream received, kept so tests can assert what was sent.
import Foundation
import HTTPWire

/// Method, path, headers and body of one received request.
public struct RecordedRequest: Sendable {
    public var method: String
    /// The path as sent (`/v1/threads/thread_x/runs`).
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Which endpoint it hit; nil for unknown routes.
    public var endpoint: MockEndpoint?
    /// The request target as sent, query string included.
    public var target: String = ""
    /// When the mock received it.
    public var receivedAt: ContinuousClock.Instant = .now

    /// The body parsed as a JSON object, nil when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// A string field of the JSON body.
    public func string(_ key: String) -> String? { json?[key] as? String }

    /// The body's `metadata` object with string values.
    public var metadata: [String: String]? { json?["metadata"] as? [String: String] }
}
