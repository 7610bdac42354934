// The cancellation shield for work that must finish once begun (starting a run, settling its usage).

/// Runs `operation` to its end even when the calling task is cancelled, and returns its result.
///
/// A client disconnect cancels the request's task; a run the upstream accepted must still be seen
/// through (abandoned upstream, its usage recorded), never orphaned half-way. The operation runs in a
/// new task, which the caller's cancellation does not reach.
func withoutCancellation<T: Sendable>(_ operation: @escaping @Sendable () async -> T) async -> T {
    await Task { await operation() }.value
}
