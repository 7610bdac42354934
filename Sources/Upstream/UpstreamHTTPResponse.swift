// An upstream HTTP response whose head has arrived and whose body streams in.
import Foundation

/// A piece of a response body as it arrives.
enum BodyChunk: Sendable {
    case data(Data)
    /// The transfer failed (timeout, reset, …); the stream ends after this.
    case failed(UpstreamError)
}

/// Status and headers, plus the body as an async stream of chunks (a clean end finishes the stream).
struct UpstreamHTTPResponse: Sendable {
    let status: Int
    /// Header fields with lowercased names.
    let headers: [String: String]
    let body: AsyncStream<BodyChunk>
    /// Cancels the underlying transfer (closes the connection); the body then ends.
    let cancel: @Sendable () -> Void

    /// Reads the rest of the body, up to `limit` bytes.
    func collect(limit: Int) async throws(UpstreamError) -> Data {
        var data = Data()
        for await chunk in body {
            switch chunk {
            case .data(let bytes):
                guard data.count + bytes.count <= limit else {
                    cancel()
                    throw .malformed("upstream response body larger than \(limit) bytes")
                }
                data.append(bytes)
            case .failed(let error):
                throw error
            }
        }
        return data
    }
}
