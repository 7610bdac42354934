// A one-shot or repeating timer on an event loop.
import Dispatch

/// Cancels a timer made by `EventLoop.schedule`. Cancelling twice, or after it fired, does nothing.
public final class LoopTimer: @unchecked Sendable {  // DispatchSource is thread-safe
    private let source: any DispatchSourceTimer

    init(source: any DispatchSourceTimer) {
        self.source = source
    }

    /// Stops the timer; its work will not run again.
    public func cancel() {
        source.cancel()
    }
}
