// A one-shot signal between a handler and a test.
import Synchronization

/// Opens once; `wait` returns when it is open (or `patience` passed).
public final class TestLatch: Sendable {
    private let state = Mutex(false)

    public init() {}

    public var isOpen: Bool { state.withLock { $0 } }

    public func open() { state.withLock { $0 = true } }

    /// Waits until open. Returns false if `patience` passed first.
    @discardableResult
    public func wait() async -> Bool { await eventually { isOpen } }
}
