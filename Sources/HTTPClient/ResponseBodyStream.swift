// The body of a response between the connection (producer, on its loop) and the reader (any task).
import Synchronization

/// Chunks the connection has read and the reader has not taken yet. Above the high watermark the
/// connection stops reading the socket; once the reader has taken enough to fall below the low
/// watermark, reading resumes. The reader cancelling (or dropping the body unread) closes the connection.
final class ResponseBodyStream: Sendable {
    typealias Next = Result<[UInt8]?, HTTPClientError>

    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        /// nil while the body is still arriving; `.success` once it ended cleanly.
        var end: Result<Void, HTTPClientError>?
        var endReported = false
        var waiter: CheckedContinuation<Next, Never>?
        var producerPaused = false
    }

    private let state = Mutex(State())
    private let highWatermark: Int
    private let lowWatermark: Int
    /// Asks the connection to read again (runs on its loop).
    private let resumeProducer: @Sendable () -> Void
    /// Closes the connection (the reader gave up).
    private let cancelProducer: @Sendable () -> Void

    init(highWatermark: Int, lowWatermark: Int, resume: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void) {
        self.highWatermark = highWatermark
        self.lowWatermark = min(lowWatermark, highWatermark)
        resumeProducer = resume
        cancelProducer = cancel
    }

    // MARK: Producer (the connection's loop)

    /// Hands over body bytes; false when the connection should stop reading until resumed.
    func yield(_ bytes: [UInt8]) -> Bool {
        let (waiter, keepReading) = state.withLock { state -> (CheckedContinuation<Next, Never>?, Bool) in
            guard state.end == nil else { return (nil, true) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            state.chunks.append(bytes)
            state.buffered += bytes.count
            if state.buffered > highWatermark {
                state.producerPaused = true
                return (nil, false)
            }
            return (nil, true)
        }
        waiter?.resume(returning: .success(bytes))
        return keepReading
    }

    /// The body ended: cleanly (`error` nil) or with a failure the reader sees after the buffered chunks.
    func finish(_ error: HTTPClientError?) {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            guard state.end == nil else { return nil }
            state.end = error.map { .failure($0) } ?? .success(())
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.endReported = true
            return waiter
        }
        waiter?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    // MARK: Reader

    /// The next chunk, nil at the end; throws the failure that ended the body.
    func next() async throws(HTTPClientError) -> [UInt8]? {
        if Task.isCancelled { cancel() }
        if let ready = takeReady() { return try ready.get() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Next, Never>) in
                let ready = state.withLock { state -> Next? in
                    if let ready = take(&state) { return ready }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
        return try result.get()
    }

    /// Stops the body: the connection closes, buffered chunks are dropped, the reader sees a failure.
    func cancel() {
        let (waiter, wasRunning) = state.withLock { state -> (CheckedContinuation<Next, Never>?, Bool) in
            let wasRunning = state.end == nil
            if wasRunning { state.end = .failure(.connectionFailed("request cancelled")) }
            state.chunks = []
            state.head = 0
            state.buffered = 0
            let waiter = state.waiter
            state.waiter = nil
            if waiter != nil { state.endReported = true }
            return (waiter, wasRunning)
        }
        waiter?.resume(returning: .failure(.connectionFailed("request cancelled")))
        if wasRunning { cancelProducer() }
    }

    /// Whether the whole body was delivered or the body failed (nothing left to cancel).
    var isFinished: Bool { state.withLock { $0.end != nil } }

    private func takeReady() -> Next? {
        let (ready, resume) = state.withLock { state -> (Next?, Bool) in
            let ready = take(&state)
            guard state.producerPaused, state.buffered <= lowWatermark, state.end == nil else { return (ready, false) }
            state.producerPaused = false
            return (ready, true)
        }
        if resume { resumeProducer() }
        return ready
    }

    /// The next buffered chunk, or the end once everything buffered was taken; nil when the reader must wait.
    private func take(_ state: inout State) -> Next? {
        if state.head < state.chunks.count {
            let chunk = state.chunks[state.head]
            state.head += 1
            state.buffered -= chunk.count
            if state.head == state.chunks.count {
                state.chunks.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return .success(chunk)
        }
        guard let end = state.end else { return nil }
        if state.endReported { return .success(nil) }
        state.endReported = true
        switch end {
        case .success: return .success(nil)
        case .failure(let error): return .failure(error)
        }
    }
}
