// A finished run after settling: what the client is told and what is reported.
import JSONText
import Metering
import Upstream

/// The run's record as stored, the thread's totals after it, and its failure if it failed.
struct SettledRun: Sendable {
    /// Why a run did not end in `stream_complete`.
    struct Failure: Sendable {
        var code: ErrorCode
        var message: String
    }

    /// The run id as the upstream reported it (nil when it reported none).
    let runId: String?
    /// The ledger row: usage, its source, status, model and cost as stored.
    let record: RunRecord
    /// The thread's totals after the run (input/output/total only).
    let totals: TokenUsage
    /// The upstream failure that ended the run, if any.
    let upstreamError: UpstreamError?
    /// The ledger failure, if the row could not be stored durably.
    let storageFailure: StorageError?
    /// The `budget` member (§9): the run's tightest budget after it; nil when none applies.
    var budget: JSONValue? = nil

    /// What the terminal event says went wrong: a storage failure wins over the upstream's.
    var failure: Failure? {
        if let storageFailure {
            return Failure(code: .storageError, message: "usage could not be stored durably: \(storageFailure.reason)")
        }
        guard let upstreamError else { return nil }
        // Mid-stream the contract knows only these codes; an unknown thread is an upstream error here.
        let code = ErrorCode(upstreamError)
        return Failure(code: code == .threadNotFound ? .upstreamError : code, message: upstreamError.message)
    }

    /// Responses upstream: `run_usage` carries the cached/reasoning parts.
    var usageHasDetails: Bool { record.usage.cachedInputTokens != nil || record.usage.reasoningTokens != nil }

    /// The usage source as metrics and usage events label it: `none` for a run that does not count.
    var reportedSource: String { record.countsAsRun ? record.usageSource.rawValue : "none" }
}
