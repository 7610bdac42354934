// A response as the test client received it.
import Foundation
import HTTPWire

/// Status line and header fields of a response.
public struct TestResponseHead: Sendable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders

    /// Whether the body is chunked.
    public var isChunked: Bool { headers.containsToken("chunked", inFieldsNamed: "Transfer-Encoding") }

    /// Whether the server announced it will close the connection.
    public var closesConnection: Bool { headers.containsToken("close", inFieldsNamed: "Connection") }
}

/// A complete response.
public struct TestResponse: Sendable {
    public var head: TestResponseHead
    /// The body (de-chunked).
    public var body: [UInt8]
    /// For a chunked body, each chunk's data in order (as the server framed it).
    public var chunks: [[UInt8]]

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object (nil if it is not one).
    public var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// `error.code` of a JSON error body.
    public var errorCode: String? {
        (jsonObject?["error"] as? [String: Any])?["code"] as? String
    }
}
