// Accounting of the runs and responses that pass through the drop-in surfaces, once each.
import Foundation
import Metering
import Telemetry
import Tracing
import Upstream

/// A drop-in run as the accounting sees it: what the request said, before the outcome is known.
struct DropInRun: Sendable {
    var surface: RunSurface
    /// `metadata.account` of the creation request (or of the run object read back).
    var account: String?
    var streaming: Bool
    var requestId: String
    /// Unix seconds when the request arrived.
    var startedAt: Double
    var trace: SpanContext
    /// The budgets that applied when the run was admitted; nil when it was not admitted here (a
    /// client's read of a run, a watch resumed after a restart): they are read just before settling.
    var budget: BudgetCheck?
}

/// Settles drop-in runs through the same `RunSettler` and `RunReporter` as `/v1/query` (registry,
/// ledger with its `surface`, metrics, usage event, span, log line), each run exactly once
/// (`RunClaims`), then `BudgetGate.afterRun` for budget warnings.
struct DropInAccounting: Sendable {
    let settler: RunSettler
    let reporter: RunReporter
    let claims: RunClaims
    /// Budget warnings (§9) after a run is settled; nil: none (tests that assemble the handler alone).
    var budgets: BudgetGate?

    /// The run started on `threadId`: the thread is tracked and not evicted until it is settled.
    func begin(threadId: String, account: String?) async {
        _ = await settler.meter.beginRun(threadId: threadId, account: account)
    }

    /// Ends a run begun with `begin` that will not be settled here (someone else accounted it).
    func release(threadId: String) async {
        await settler.meter.abortRun(threadId: threadId)
    }

    /// Settles `outcome` on `threadId` unless its run was accounted already. Returns whether this
    /// call accounted it. `begun`: `begin` was called for it (released when the claim is lost).
    @discardableResult
    func settle(_ outcome: RunOutcome, threadId: String, run: DropInRun, begun: Bool, clientGone: Bool = false) async -> Bool {
        let runId = outcome.runId ?? "unknown-\(run.requestId)"
        guard await claims.claim(runId) else {
            if begun { await release(threadId: threadId) }
            return false
        }
        var outcome = outcome
        outcome.runId = runId
        let accepted = acceptedRun(threadId: threadId, run: run, outcome: outcome)
        var before = run.budget
        if before == nil, let budgets { before = await budgets.current(threadId: threadId, account: run.account) }
        let settled = await settler.settle(outcome, of: accepted)
        reporter.report(settled, of: accepted, clientGone: clientGone)
        if let budgets, let before {
            // A run that took a budget to its `warn_at` is logged and sent as `budget_warning`, as on /v1/query.
            _ = await budgets.afterRun(before, threadId: threadId, account: run.account, requestId: run.requestId)
        }
        return true
    }

    /// The `AcceptedRun` the settler and reporter take, for a run the service did not start itself.
    private func acceptedRun(threadId: String, run: DropInRun, outcome: RunOutcome) -> AcceptedRun {
        let query = QueryRequest(query: "", threadId: threadId, demandStage: nil, accountName: run.account,
                                 additionalInstructions: nil, stream: run.streaming)
        var accepted = AcceptedRun(upstream: PassedThroughRun(threadId: threadId, outcome: outcome), query: query, prompt: "",
                                   startedAt: run.startedAt, requestId: run.requestId, trace: run.trace)
        accepted.surface = run.surface
        return accepted
    }
}

/// A run the client drives itself: the settler needs only its thread id.
private struct PassedThroughRun: UpstreamRun {
    let threadId: String
    let outcome: RunOutcome
    var isNewThread: Bool { false }
    var events: RunEvents { .finished() }
    func abandon() async -> RunOutcome { outcome }
}
