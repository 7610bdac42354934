// Errors the server answers by itself, before or instead of the handler.
import HTTPWire
import Telemetry

/// A response the server generates: JSON `{"error":{"code":…,"message":…}}`, always with `Connection: close`.
struct ServerErrorReply: Sendable, Equatable {
    var status: Int
    var code: String
    var message: String

    /// The answer to a request the parser refused.
    init(_ error: HTTPParseError) {
        self.init(status: error.status, code: error.code, message: error.message)
    }

    init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The head or body did not arrive in time (header/body timeout).
    static let requestTimeout = ServerErrorReply(status: 408, code: "request_timeout", message: "request not received in time")

    /// `{"error":{"code":"…","message":"…"}}`.
    var body: [UInt8] {
        Array(#"{"error":{"code":\#(LogLineFormatter.jsonString(code)),"message":\#(LogLineFormatter.jsonString(message))}}"#.utf8)
    }
}
