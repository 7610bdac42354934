// One accepted, streaming run as the service sees it.

/// One accepted, streaming run.
public protocol UpstreamRun: Sendable {
    /// The upstream thread (or conversation) id.
    var threadId: String { get }
    /// True when `startRun` created the thread.
    var isNewThread: Bool { get }
    /// Text deltas in order, then exactly one `.finished`. The stream ends after `.finished`.
    var events: RunEvents { get }
    /// The client went away: stop the run upstream (Assistants: cancel; Responses: close the stream),
    /// then read it until it is terminal and return the outcome with whatever usage was reported.
    /// Safe to call at any time, also after `.finished` was delivered (then it returns that outcome).
    func abandon() async -> RunOutcome
}
