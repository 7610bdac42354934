// The seam between the service and whatever answers questions (OpenAI Assistants, Responses, or the simulator).

/// Something that can start streamed runs on threads: what the service asks questions of.
///
/// Implementations: `SimulatedAssistant` (default, no network) and, for a real upstream, the generic
/// `UpstreamDriver` over an `UpstreamDialect` (`AssistantsDialect`, contract §5; `ResponsesDialect`,
/// §6). `makeUpstream(_:logger:)` picks one. All of them behave identically towards the service.
public protocol RunProvider: Sendable {
    /// `"openai"` for a real upstream, `"simulated"` for the built-in assistant (shown in `/health`).
    var kind: String { get }

    /// Creates the thread when `request.threadId` is nil, adds the question, and starts a streamed run.
    ///
    /// Returns only once the upstream has accepted the run (its run/response request answered 200);
    /// failures before that are thrown as `UpstreamError` (which the service maps to an HTTP status).
    func startRun(_ request: RunRequest) async throws(UpstreamError) -> any UpstreamRun

    /// Latest `x-ratelimit-*` headers seen from the upstream (lowercase names); empty if none.
    func rateLimitSnapshot() -> [String: String]
}

/// The former name of `RunProvider` (it differed from `AssistantsUpstream` by one letter).
