// The seam where a budget gate decides whether a drop-in run may start (contract §8, §9).
import Metering

/// What a run or response the client wants to create is about, for the admission check.
struct DropInAdmissionRequest: Sendable {
    /// The thread (Assistants thread id, or conversation id) when the request names one; nil when
    /// the upstream will make it (`POST /v1/threads/runs`, a response without a conversation).
    var threadId: String?
    /// `metadata.account` of the request body, nil when absent.
    var account: String?
    var surface: RunSurface
}

/// Decides, before anything is forwarded, whether a drop-in run or response may be created: nil
/// admits it; an `APIError` refuses it and is answered in the §8 error shape (a budget refusal:
/// status 429, code `budget_exceeded`, its `budget` in `extra`, `Retry-After` in `headers`).
typealias DropInAdmission = @Sendable (DropInAdmissionRequest) async -> APIError?

enum DropInAdmissions {
    /// Admits everything (until the budget gate is plugged in).
    static let admitAll: DropInAdmission = { _ in nil }
}
