// The body of a response between the connection (producer, on its loop) and the reader (any task).
import EventLoops
import Synchronization

/// Chunks the connection has read and the reader has not taken yet. Above the high watermark the
/// connection stops reading the socket; once the reader has taken enough to fall below the low
/// watermark, reading resumes. The reader cancelling (or dropping the body unread) closes the connection.
///
/// Instead of pulling with `next()`, a reader may install a sink (`deliver(to:)`): from then on the
/// connection hands every chunk, then the end, to the sink on its loop as it reads them, with no task
/// in between.
final class ResponseBodyStream: Sendable {
    typealias Next = Result<[UInt8]?, HTTPClientError>
    /// A reader that takes the body by callback (`deliver(to:)`).
    typealias Sink = @Sendable (HTTPClientResponse.BodyPart) -> Void

    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        /// nil while the body is still arriving; `.success` once it ended cleanly.
        var end: Result<Void, HTTPClientError>?
        var endReported = false
        var waiter: CheckedContinuation<Next, Never>?
        var producerPaused = false
        /// Set by `deliver(to:)`: chunks go straight to it (on the loop) instead of being buffered.
        var sink: Sink?
    }

    private let state = Mutex(State())
    /// The connection's loop: where the producer runs, and so where a sink is called.
    private let loop: EventLoop
    private let highWatermark: Int
    private let lowWatermark: Int
    /// Asks the connection to read again (runs on its loop).
    private let resumeProducer: @Sendable () -> Void
    /// Closes the connection (the reader gave up).
    private let cancelProducer: @Sendable () -> Void

    init(loop: EventLoop, highWatermark: Int, lowWatermark: Int, resume: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void) {
        self.loop = loop
        self.highWatermark = highWatermark
        self.lowWatermark = min(lowWatermark, highWatermark)
        resumeProducer = resume
        cancelProducer = cancel
    }

    // MARK: Producer (the connection's loop)

    /// Hands over body bytes; false when the connection should stop reading until resumed.
    func yield(_ bytes: [UInt8]) -> Bool {
        let (waiter, keepReading, sink) = state.withLock { state -> (CheckedContinuation<Next, Never>?, Bool, Sink?) in
            guard state.end == nil else { return (nil, true, nil) }
            if let sink = state.sink { return (nil, true, sink) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true, nil)
            }
            state.chunks.append(bytes)
            state.buffered += bytes.count
            if state.buffered > highWatermark {
                state.producerPaused = true
                return (nil, false, nil)
            }
            return (nil, true, nil)
        }
        if let sink {
            sink(.bytes(bytes))
            return true
        }
        waiter?.resume(returning: .success(bytes))
        return keepReading
    }

    /// The body ended: cleanly (`error` nil) or with a failure the reader sees after the buffered chunks.
    func finish(_ error: HTTPClientError?) {
        let (waiter, sink) = state.withLock { state -> (CheckedContinuation<Next, Never>?, Sink?) in
            guard state.end == nil else { return (nil, nil) }
            state.end = error.map { .failure($0) } ?? .success(())
            if let sink = state.sink {
                state.sink = nil
                state.endReported = true
                return (nil, sink)
            }
            guard let waiter = state.waiter else { return (nil, nil) }
            state.waiter = nil
            state.endReported = true
            return (waiter, nil)
        }
        sink?(.end(error))
        waiter?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    // MARK: Sink

    /// From now on every chunk, then the end (nil: clean; else the failure), goes to `sink` on the
    /// connection's loop, starting with what is buffered. Install it once, before reading with `next()`.
    func deliver(to sink: @escaping Sink) {
        loop.execute { [self] in
            let (buffered, end, resume) = state.withLock { state -> ([[UInt8]], Result<Void, HTTPClientError>??, Bool) in
                precondition(state.sink == nil && state.waiter == nil, "a body is read either by a sink or with next()")
                let buffered = Array(state.chunks[state.head...])
                state.chunks = []
                state.head = 0
                state.buffered = 0
                var end: Result<Void, HTTPClientError>?? = nil
                if let ended = state.end, !state.endReported {
                    state.endReported = true
                    end = .some(ended)
                } else if state.end == nil {
                    state.sink = sink
                }
                let resume = state.producerPaused && state.end == nil
                state.producerPaused = false
                return (buffered, end, resume)
            }
            for chunk in buffered { sink(.bytes(chunk)) }
            if let end {
                switch end {
                case .success?: sink(.end(nil))
                case .failure(let error)?: sink(.end(error))
                case nil: break
                }
            }
            if resume { resumeProducer() }
        }
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
        let (waiter, sink, wasRunning) = state.withLock { state -> (CheckedContinuation<Next, Never>?, Sink?, Bool) in
            let wasRunning = state.end == nil
            if wasRunning { state.end = .failure(.connectionFailed("request cancelled")) }
            state.chunks = []
            state.head = 0
            state.buffered = 0
            let waiter = state.waiter
            state.waiter = nil
            let sink = state.sink
            state.sink = nil
            if waiter != nil || sink != nil { state.endReported = true }
            return (waiter, sink, wasRunning)
        }
        waiter?.resume(returning: .failure(.connectionFailed("request cancelled")))
        // Later, not inline: the sink may be the caller (it cancels what it reads).
        if let sink { loop.enqueue { sink(.end(.connectionFailed("request cancelled"))) } }
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
