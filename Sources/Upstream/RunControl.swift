// How a streamed run is stopped and re-read upstream once the client went away.

/// The upstream-specific half of `abandon()`.
struct RunControl<Polled: Sendable>: Sendable {
    /// True when stopping means closing the stream (Responses); false when the upstream is asked to
    /// cancel and the stream is read on until the run is terminal (Assistants).
    var closeStreamToStop: Bool
    /// Asks the upstream to stop the run with this id (Assistants: `POST …/runs/{id}/cancel`).
    var requestCancel: @Sendable (String) async throws(UpstreamError) -> Void
    /// Fetches the run with this id (`GET …/runs/{id}`, `GET /responses/{id}`).
    var fetch: @Sendable (String) async throws(UpstreamError) -> Polled
    /// Longest time spent reading or polling after stopping.
    var abandonTimeout: Duration
    /// Pause between polls.
    var pollInterval: Duration
    /// The clock of `abandonTimeout` and `pollInterval` (tests pass one they advance by hand).
    var clock: any Clock<Duration> = ContinuousClock()
}
