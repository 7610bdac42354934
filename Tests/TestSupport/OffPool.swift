// Runs blocking work (child processes, pipes, semaphores) on its own thread, never on Swift's cooperative pool.
import Foundation

/// Swift Testing runs every suite in one process on a cooperative pool as wide as the machine has cores
/// (2 here). A test that blocks one of those threads (waiting for a child process, reading a pipe)
/// stalls every other test's async work — including the servers under test. Wrap such work in this.
public func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
