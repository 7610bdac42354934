// An upstream answer to a forwarded drop-in request: status, headers, body as it arrives.
import Foundation

/// A piece of a forwarded response body.
public enum DropInChunk: Sendable {
    case bytes([UInt8])
    /// The transfer failed (timeout, reset, …); the body ends after this.
    case failed(UpstreamError)
}

/// The upstream's answer to a forwarded request. Its body is read once, as it arrives (the
/// connection is not read while the reader is behind).
public struct DropInResponse: Sendable {
    private let base: UpstreamHTTPResponse

    init(_ base: UpstreamHTTPResponse) { self.base = base }

    public var status: Int { base.status }
    /// Header fields with lowercased names (repeated fields joined with ", ").
    public var headers: [String: String] { base.headers }
    /// Whether the body is a `text/event-stream`.
    public var isEventStream: Bool { (headers["content-type"] ?? "").lowercased().hasPrefix("text/event-stream") }

    /// Reads the whole body, up to `limit` bytes.
    public func collect(limit: Int) async throws(UpstreamError) -> [UInt8] {
        Array(try await base.collect(limit: limit))
    }

    /// Closes the transfer; the body then ends.
    public func cancel() { base.cancel() }

    /// The body's chunks in order; a failure is the last chunk.
    public var body: Body { Body(base: base.body) }

    /// The body as an async sequence of `DropInChunk`s.
    public struct Body: AsyncSequence, Sendable {
        public typealias Element = DropInChunk
        let base: UpstreamHTTPResponse.Body

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }

        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: UpstreamHTTPResponse.Body.AsyncIterator

            public mutating func next() async -> DropInChunk? {
                switch await base.next() {
                case .data(let data)?: .bytes(Array(data))
                case .failed(let error)?: .failed(error)
                case nil: nil
                }
            }
        }
    }
}
