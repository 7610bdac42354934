// The ResponseBodyWriter a streaming handler writes through.

/// Appends each chunk to the connection's output and flushes it. The handler's task prefers the
/// connection's event loop, so a write normally runs inline on the loop with no hop; from elsewhere
/// it enqueues onto the loop. Suspends only while output is above the high watermark. Throws
/// `ClientDisconnected` once the connection is closed.
struct StreamBodyWriter: ResponseBodyWriter {
    let connection: Connection
    let generation: Int

    func write(_ bytes: [UInt8]) async throws {
        if Task.isCancelled {
            throw connection.isClosedForWriters ? ClientDisconnected() : CancellationError()
        }
        let connection = self.connection, generation = self.generation
        if connection.loop.eventLoop.inEventLoop {
            switch connection.appendChunk(bytes, generation: generation) {
            case .accepted: return
            case .gone: throw ClientDisconnected()
            case .aboveHighWatermark: break
            }
            try await waitForDrain()
            return
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                connection.loop.queue.async {
                    switch connection.appendChunk(bytes, generation: generation) {
                    case .accepted: continuation.resume()
                    case .gone: continuation.resume(throwing: ClientDisconnected())
                    case .aboveHighWatermark: connection.awaitDrain(generation: generation, continuation: continuation)
                    }
                }
            }
        } onCancel: {
            connection.loop.queue.async { connection.cancelWriters(generation: generation) }
        }
    }

    /// Suspends until output drains below the low watermark (or the connection goes away).
    private func waitForDrain() async throws {
        let connection = self.connection, generation = self.generation
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                connection.loop.execute { connection.awaitDrain(generation: generation, continuation: continuation) }
            }
        } onCancel: {
            connection.loop.queue.async { connection.cancelWriters(generation: generation) }
        }
    }
}
