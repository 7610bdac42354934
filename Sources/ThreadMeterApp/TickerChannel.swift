// The keep-alive ticker's output: a single-consumer queue of concrete items.
import Synchronization
import Upstream

/// What `KeepAliveTicker` hands its one consumer, in order. A plain class over a lock and one
/// continuation: unlike `AsyncStream<Item>` (generic code in the standard library, whose metadata is
/// looked up at run time on every element), each delta passes through specialised code.
///
/// `next()` returns the buffered items, then nil once `finish()` was called; a cancelled consumer
/// gets nil at once (buffered items are dropped), as `AsyncStream` does.
final class TickerChannel: AsyncSequence, Sendable {
    typealias Element = KeepAliveTicker.Item

    private struct State {
        var buffer: [Element] = []
        var head = 0
        var waiter: UnsafeContinuation<Element?, Never>?
        var finished = false

        mutating func take() -> Element? {
            guard head < buffer.count else { return nil }
            let item = buffer[head]
            head += 1
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                head = 0
            }
            return item
        }
    }

    private let state = Mutex(State())

    /// Whether a consumer is parked in `next()` (tests wait for it instead of sleeping).
    var hasWaitingConsumer: Bool { state.withLock { $0.waiter != nil } }

    /// Hands `item` to the waiting consumer, or queues it; ignored once finished.
    func yield(_ item: Element) {
        let waiter = state.withLock { state -> UnsafeContinuation<Element?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(item)
            return nil
        }
        waiter?.resume(returning: item)
    }

    /// No more items: the consumer gets what is queued, then nil.
    func finish() {
        let waiter = state.withLock { state -> UnsafeContinuation<Element?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next item; nil once finished and drained, or at once when the consumer's task is cancelled.
    func next() async -> Element? {
        if let item = state.withLock({ $0.take() }) { return item }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Element?, Never>) in
                let ready = state.withLock { state -> Element?? in
                    if let item = state.take() { return .some(item) }
                    if state.finished { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancelConsumer()
        }
    }

    private func cancelConsumer() {
        let waiter = state.withLock { state -> UnsafeContinuation<Element?, Never>? in
            state.finished = true
            state.buffer.removeAll()
            state.head = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    struct Iterator: AsyncIteratorProtocol {
        let channel: TickerChannel
        mutating func next() async -> Element? { await channel.next() }
    }

    func makeAsyncIterator() -> Iterator { Iterator(channel: self) }
}
