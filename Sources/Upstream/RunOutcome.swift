// The end of a run: status, usage, answer.
import Metering

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
