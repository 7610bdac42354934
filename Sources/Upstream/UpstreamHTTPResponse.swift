// An upstream HTTP response whose head has arrived and whose body streams in.
import EventLoops
import Foundation
import HTTPClient

/// A piece of a response body as it arrives.
enum BodyChunk: Sendable {
    case data([UInt8])
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
        var headers = [String: String](minimumCapacity: response.headers.count)
        for field in response.headers {
            // Upstreams mostly send lowercase names already: lowercase only when needed.
            var name = field.name
            if name.withUTF8({ $0.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } }) { name = name.lowercased() }
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        self.headers = headers
        body = Body(source: .client(response.body))
        cancel = { response.cancel() }
    }

    /// A response whose body chunks come from `body` (tests script a stream with it).
    init(status: Int, headers: [String: String], body: AsyncStream<BodyChunk>, cancel: @escaping @Sendable () -> Void) {
        self.status = status
        self.headers = headers
        self.body = Body(source: .scripted(body))
        self.cancel = cancel
    }

    /// Reads the rest of the body, up to `limit` bytes.
    func collect(limit: Int) async throws(UpstreamError) -> Data {
        do {
            switch body.source {
            case .client(let base): return Data(try await base.collect(upTo: limit))
            case .scripted: break
            }
        } catch {
            throw UpstreamError(error)
        }
        var data = Data()
        for await chunk in body {
            switch chunk {
            case .data(let bytes):
                guard data.count + bytes.count <= limit else {
                    cancel()
                    throw .malformed("upstream response body larger than \(limit) bytes")
                }
                data.append(contentsOf: bytes)
            case .failed(let error):
                throw error
            }
        }
        return data
    }

    /// Hands every chunk, then nil at the end, to `sink`: on the connection's loop as it reads them
    /// (no task in between; see `HTTPClientResponse.Body.deliver(to:)`), or, for a scripted body, from
    /// a task reading it. A failure is a last `.failed` chunk before the nil.
    func deliver(to sink: @escaping @Sendable (BodyChunk?) -> Void) {
        switch body.source {
        case .client(let base):
            base.deliver { part in
                switch part {
                case .bytes(let bytes):
                    sink(.data(bytes))
                case .end(let error):
                    if let error { sink(.failed(UpstreamError(error))) }
                    sink(nil)
                }
            }
        case .scripted:
            let body = self.body
            Task.onCurrentLoop {
                for await chunk in body { sink(chunk) }
                sink(nil)
            }
        }
    }

    /// The client's body chunks as `BodyChunk`s: a failure becomes a last `.failed` chunk. The
    /// connection stops being read while the reader is behind.
    struct Body: AsyncSequence, Sendable {
        typealias Element = BodyChunk
        enum Source: Sendable {
            case client(HTTPClientResponse.Body)
            case scripted(AsyncStream<BodyChunk>)
        }
        let source: Source

        func makeAsyncIterator() -> AsyncIterator {
            switch source {
            case .client(let base): AsyncIterator(base: base.makeAsyncIterator(), scripted: nil)
            case .scripted(let stream): AsyncIterator(base: nil, scripted: stream.makeAsyncIterator())
            }
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: HTTPClientResponse.Body.Iterator?
            var scripted: AsyncStream<BodyChunk>.AsyncIterator?
            var ended = false

            mutating func next() async -> BodyChunk? {
                guard !ended else { return nil }
                if scripted != nil { return await scripted!.next() }
                do {
                    if let bytes = try await base?.next() { return .data(bytes) }
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
