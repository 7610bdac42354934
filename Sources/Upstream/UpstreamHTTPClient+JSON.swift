// JSON request/answer calls and the start of streamed calls, with status mapping.
import Foundation

extension UpstreamHTTPClient {
    /// Builds a request with a JSON body.
    static func request(_ method: String, _ path: String, headers: [(String, String)], body: (some WireWritable)?) throws(UpstreamError) -> Request {
        let data = body.map { Data($0.wireJSON.bytes) }
        return Request(method: method, path: path, headers: headers + [("Content-Type", "application/json")], body: data)
    }

    /// Sends a JSON call and decodes a 2xx answer as `Reply`; a non-2xx answer is mapped for `call`.
    func json<Reply: WireReadable>(_ request: Request, call: UpstreamStatusMapping.Call, as reply: Reply.Type) async throws(UpstreamError) -> Reply {
        let (status, headers, body) = try await exchange(request)
        guard (200..<300).contains(status) else {
            throw UpstreamStatusMapping.error(status: status, headers: headers, body: body, call: call)
        }
        return try WireJSON.decode(Reply.self, from: body, what: "the \(request.method) \(request.path) answer")
    }

    /// Starts a streamed call; returns once a 2xx `text/event-stream` head arrived.
    func openEventStream(_ request: Request, call: UpstreamStatusMapping.Call) async throws(UpstreamError) -> UpstreamHTTPResponse {
        var streaming = request
        streaming.headers.append(("Accept", "text/event-stream"))
        let response = try await send(streaming)
        guard (200..<300).contains(response.status) else {
            let body: Data
            do {
                body = try await response.collect(limit: 64 * 1024)
            } catch {
                body = Data("(error body unreadable: \(error.message))".utf8)
            }
            throw UpstreamStatusMapping.error(status: response.status, headers: response.headers, body: body, call: call)
        }
        let contentType = response.headers["content-type"] ?? ""
        guard contentType.lowercased().hasPrefix("text/event-stream") else {
            response.cancel()
            throw .malformed("expected a text/event-stream answer to \(request.method) \(request.path), got \"\(contentType)\"")
        }
        return response
    }
}
