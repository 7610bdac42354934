// A response whose head has arrived and whose body streams in.
import HTTPWire

/// Status and header fields (ordered, duplicates kept), and the body as an async sequence of chunks.
public struct HTTPClientResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: Body

    /// Closes the connection; the body then ends with a failure (a no-op once the body has ended).
    public func cancel() {
        body.stream.cancel()
    }

    /// What `Body.deliver(to:)` hands its sink.
    public enum BodyPart: Sendable {
        case bytes([UInt8])
        /// The body ended: cleanly (nil) or with the failure that ended it. Nothing follows.
        case end(HTTPClientError?)
    }

    /// Body chunks as they arrive. Reading slowly slows the server down (the client stops reading the
    /// socket while too much is buffered); cancelling the reading task or dropping every copy of the
    /// body before its end closes the connection.
    public struct Body: AsyncSequence, Sendable {
        public typealias Element = [UInt8]
        let handle: Handle

        var stream: ResponseBodyStream { handle.stream }

        init(_ stream: ResponseBodyStream) {
            handle = Handle(stream)
        }

        public func makeAsyncIterator() -> Iterator {
            Iterator(handle: handle)
        }

        /// Reads the body by callback instead of iterating it: every chunk, then exactly one `.end`,
        /// is handed to `sink` on the connection's event loop as the connection reads it, starting
        /// with what arrived before this call; no task runs in between. The sink must not block: it
        /// runs on the loop, and the connection keeps reading while it returns (no backpressure: for
        /// readers that consume each chunk at once). `cancel()` ends it with a failure. Call once,
        /// and not together with iterating.
        public func deliver(to sink: @escaping @Sendable (BodyPart) -> Void) {
            let handle = self.handle
            handle.stream.deliver { part in
                withExtendedLifetime(handle) { sink(part) }
            }
        }

        /// The rest of the body, at most `limit` bytes (beyond it the connection is closed and this throws).
        public func collect(upTo limit: Int) async throws(HTTPClientError) -> [UInt8] {
            var bytes: [UInt8] = []
            while let chunk = try await handle.stream.next() {
                guard bytes.count + chunk.count <= limit else {
                    handle.stream.cancel()
                    throw .malformedResponse("response body larger than \(limit) bytes")
                }
                bytes.append(contentsOf: chunk)
            }
            return bytes
        }

        public struct Iterator: AsyncIteratorProtocol {
            let handle: Handle

            public mutating func next() async throws(HTTPClientError) -> [UInt8]? {
                try await handle.stream.next()
            }
        }

        /// Owned by the reader's side only: when the last copy goes, an unfinished body is cancelled.
        final class Handle: Sendable {
            let stream: ResponseBodyStream

            init(_ stream: ResponseBodyStream) {
                self.stream = stream
            }

            deinit {
                if !stream.isFinished { stream.cancel() }
            }
        }
    }
}
