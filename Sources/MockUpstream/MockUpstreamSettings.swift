// The mock upstream's behaviour, adjustable at runtime.

/// How the mock answers; change it with `MockUpstreamServer.update(_:)`.
public struct MockUpstreamSettings: Sendable {
    /// Fixed answer text; nil generates one like the recorded fixtures.
    public var answer: String?
    /// How many deltas an answer is split into (at most one per word).
    public var deltaCount: Int = 12
    /// Pause before each delta.
    public var deltaDelay: Duration = .zero
    /// When set, requests must carry `Authorization: Bearer <apiKey>` (else 401).
    public var apiKey: String?
    /// The Assistants run `model`.
    public var assistantsModel: String = "gpt-4o-mini"
    /// The Responses `model` (a dated snapshot, like the real API reports it).
    public var responsesModel: String = "gpt-4o-mini-2024-07-18"
    /// Instructions of the mock assistant (echoed in run objects, counted as prompt tokens).
    public var instructions: String = "You are a helpful sales assistant."
    /// Cached input tokens reported by the Responses API (a part of `input_tokens`, capped at it).
    public var cachedTokens: Int = 0
    /// Reasoning tokens reported by the Responses API (a part of `output_tokens`, capped at it).
    public var reasoningTokens: Int = 0
    /// Keep a log of received requests (`MockUpstreamServer.requests`); turn off for load.
    public var recordRequests: Bool = true
    /// Most requests kept in the log (oldest dropped first).
    public var maxRecordedRequests: Int = 10_000
    /// Finished runs/responses remembered for `GET` (oldest forgotten first).
    public var maxRememberedRuns: Int = 100_000

    /// How long a run created without streaming (or a background response) stays in progress
    /// before it completes on its own.
    public var backgroundRunDuration: Duration = .milliseconds(300)

    public init() {}
}
