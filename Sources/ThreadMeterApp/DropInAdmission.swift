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

/// Decides, before anything is forwarded, whether a drop-in run or response may be created:
/// `.success` admits it with the budgets that apply as they stand before it (`BudgetCheck`, carried
/// in `DropInRun.budget` to `DropInAccounting`, which calls `BudgetGate.afterRun` once the run is
/// settled); `.failure` refuses it and is answered in the §8 error shape (a budget refusal: status
/// 429, code `budget_exceeded`, its `budget` in `extra`, `Retry-After` in `headers`).
typealias DropInAdmission = @Sendable (DropInAdmissionRequest) async -> Result<BudgetCheck, APIError>

enum DropInAdmissions {
    /// Admits everything, with no budget applying.
    static let admitAll: DropInAdmission = { _ in .success(BudgetCheck(standings: [])) }
}
