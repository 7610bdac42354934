// The seam between the service and whatever answers questions (OpenAI Assistants, Responses, or the simulator).
import Metering

/// Something that can start streamed runs on threads.
///
/// Implementations: `SimulatedAssistant` (default, no network), `AssistantsUpstream` (§5 of the
/// contract), `ResponsesUpstream` (§6). All of them behave identically towards the service.
public protocol AssistantUpstream: Sendable {
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

/// What the client asked for, as the upstream needs it.
public struct RunRequest: Sendable {
    /// Existing thread to continue; nil starts a new one.
    public var threadId: String?
    public var query: String
    public var demandStage: String?
    public var accountName: String?
    public var additionalInstructions: String?

    public init(threadId: String?, query: String, demandStage: String? = nil, accountName: String? = nil, additionalInstructions: String? = nil) {
        self.threadId = threadId
        self.query = query
        self.demandStage = demandStage
        self.accountName = accountName
        self.additionalInstructions = additionalInstructions
    }
}

/// One accepted, streaming run.
public protocol UpstreamRun: Sendable {
    /// The upstream thread (or conversation) id.
    var threadId: String { get }
    /// True when `startRun` created the thread.
    var isNewThread: Bool { get }
    /// Text deltas in order, then exactly one `.finished`. The stream ends after `.finished`.
    var events: AsyncStream<RunEvent> { get }
    /// The client went away: stop the run upstream (Assistants: cancel; Responses: close the stream),
    /// then read it until it is terminal and return the outcome with whatever usage was reported.
    /// Safe to call at any time, also after `.finished` was delivered (then it returns that outcome).
    func abandon() async -> RunOutcome
}

/// An event of a running run, as the service relays it.
public enum RunEvent: Sendable, Equatable {
    /// One upstream text delta.
    case delta(String)
    /// The run ended (successfully or not). Always the last event.
    case finished(RunOutcome)
}

/// The end of a run: its id, model, status, the usage the upstream reported and the text relayed.
public struct RunOutcome: Sendable, Equatable {
    public var runId: String?
    public var model: String?
    public var status: RunStatus
    /// Usage as the upstream reported it (terminal event, else the sum of completed steps); nil if none.
    public var reportedUsage: TokenUsage?
    /// The concatenated answer text (for estimates and the non-streaming response).
    public var answer: String
    /// Why the run did not complete; nil when `status == .completed`.
    public var error: UpstreamError?

    public init(runId: String?, model: String?, status: RunStatus, reportedUsage: TokenUsage?, answer: String, error: UpstreamError? = nil) {
        self.runId = runId
        self.model = model
        self.status = status
        self.reportedUsage = reportedUsage
        self.answer = answer
        self.error = error
    }
}

/// Upstream failures, each with the client-facing meaning the contract gives it.
public enum UpstreamError: Error, Sendable, Equatable {
    /// Could not connect / connection refused / reset before an answer → 502 `upstream_error`.
    case connectionFailed(String)
    /// Connect, first-byte or idle-between-events timeout → 504 `upstream_timeout`.
    case timeout(String)
    /// 429 from the upstream → 429 `rate_limited`, with its `Retry-After` when given.
    case rateLimited(retryAfter: String?, message: String)
    /// 401/403 from the upstream → 502 with a message naming the upstream key.
    case unauthorized(String)
    /// The thread (conversation) is unknown upstream → 404 `thread_not_found`.
    case threadNotFound(String)
    /// Any other non-2xx status → 502 `upstream_error`.
    case badStatus(Int, String)
    /// Malformed JSON/SSE from the upstream → `upstream_error`.
    case malformed(String)
    /// The run ended failed/incomplete/cancelled/expired → `upstream_error`.
    case runEnded(RunStatus, String)
    /// The stream ended without a terminal event → `upstream_error`.
    case streamBroken(String)

    /// Contract `error.code`.
    public var code: String {
        switch self {
        case .timeout: "upstream_timeout"
        case .rateLimited: "rate_limited"
        case .threadNotFound: "thread_not_found"
        default: "upstream_error"
        }
    }

    /// HTTP status when the failure happens before the response started.
    public var httpStatus: Int {
        switch self {
        case .timeout: 504
        case .rateLimited: 429
        case .threadNotFound: 404
        default: 502
        }
    }

    /// Human-readable message for the client.
    public var message: String {
        switch self {
        case .connectionFailed(let m): "upstream connection failed: \(m)"
        case .timeout(let m): "upstream timed out: \(m)"
        case .rateLimited(_, let m): "upstream rate limited: \(m)"
        case .unauthorized(let m): "upstream rejected the API key (OPENAI_API_KEY): \(m)"
        case .threadNotFound(let m): "thread not found upstream: \(m)"
        case .badStatus(let s, let m): "upstream answered \(s): \(m)"
        case .malformed(let m): "malformed upstream data: \(m)"
        case .runEnded(let status, let m): "run \(status.rawValue) upstream: \(m)"
        case .streamBroken(let m): "upstream stream ended early: \(m)"
        }
    }
}
