// The cancellation shield for work that must finish once begun (starting a run, settling its usage).
import EventLoops

/// Runs `operation` to its end even when the calling task is cancelled, and returns its result.
///
/// A client disconnect cancels the request's task; a run the upstream accepted must still be seen
/// through (abandoned upstream, its usage recorded), never orphaned half-way. The operation runs in a
/// new task, which the caller's cancellation does not reach. It starts at once on the caller's
/// thread (no trip through the loop's queue before the upstream call) and, once it suspends,
/// resumes on the caller's event loop, like the caller.
func withoutCancellation<T: Sendable>(_ operation: @escaping @Sendable () async -> T) async -> T {
    await Task.immediate(executorPreference: EventLoop.current) { await operation() }.value
}
