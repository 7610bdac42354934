// The ResponseBodyWriter a streaming handler writes through.

/// Hands each chunk to the connection's queue and suspends while output is above the high
/// watermark. Throws `ClientDisconnected` once the connection is closed.
struct StreamBodyWriter: ResponseBodyWriter {
    let connection: Connection
    let generation: Int

    func write(_ bytes: [UInt8]) async throws {
        if Task.isCancelled {
            throw connection.isClosedForWriters ? ClientDisconnected() : CancellationError()
        }
        let connection = self.connection, generation = self.generation
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                connection.loop.queue.async {
                    connection.enqueueChunk(bytes, generation: generation, continuation: continuation)
                }
            }
        } onCancel: {
            connection.loop.queue.async { connection.cancelWriters(generation: generation) }
        }
    }
}
