// An upstream HTTP response whose head has arrived and whose body streams in.
import Foundation
import HTTPClient

/// A piece of a response body as it arrives.
enum BodyChunk: Sendable {
    case data(Data)
    /// The transfer failed (timeout, reset, …); the body ends after this.
    case failed(UpstreamError)
}

/// Status and headers, plus the body as an async sequence of chunks (a clean end finishes it).
struct UpstreamHTTPResponse: Sendable {
    let status: Int
    /// Header fields with lowercased names (repeated fields joined with ", ").
    let headers: [String: String]
    let body: Body
    /// Cancels the underlying transfer (closes the connection); the body then ends.
    let cancel: @Sendable () -> Void

    init(_ response: HTTPClientResponse) {
        status = response.status
        var headers: [String: String] = [:]
        for field in response.headers {
            let name = field.name.lowercased()
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        self.headers = headers
        body = Body(base: response.body)
        cancel = { response.cancel() }
    }

    /// Reads the rest of the body, up to `limit` bytes.
    func collect(limit: Int) async throws(UpstreamError) -> Data {
        do {
            return Data(try await body.base.collect(upTo: limit))
        } catch {
            throw UpstreamError(error)
        }
    }

    /// The client's body chunks as `BodyChunk`s: a failure becomes a last `.failed` chunk. The
    /// connection stops being read while the reader is behind.
    struct Body: AsyncSequence, Sendable {
        typealias Element = BodyChunk
        let base: HTTPClientResponse.Body

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator())
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: HTTPClientResponse.Body.Iterator
            var ended = false

            mutating func next() async -> BodyChunk? {
                guard !ended else { return nil }
                do {
                    if let bytes = try await base.next() { return .data(Data(bytes)) }
                    ended = true
                    return nil
                } catch {
                    ended = true
                    return .failed(UpstreamError(error))
                }
            }
        }
    }
}

extension UpstreamError {
    /// The upstream error for a failed HTTP exchange: timeouts stay timeouts (504), unparsable
    /// responses are malformed, everything else (TLS included) is a connection failure (502).
    init(_ error: HTTPClientError) {
        switch error {
        case .connectionFailed(let message), .tlsFailed(let message): self = .connectionFailed(message)
        case .timeout(let message): self = .timeout(message)
        case .malformedResponse(let message), .invalidRequest(let message): self = .malformed(message)
        }
    }
}
