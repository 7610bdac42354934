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
}

/// Settles drop-in runs through the same `RunSettler` and `RunReporter` as `/v1/query` (registry,
/// ledger with its `surface`, metrics, usage event, span, log line), each run exactly once
/// (`RunClaims`).
struct DropInAccounting: Sendable {
    let settler: RunSettler
    let reporter: RunReporter
    let claims: RunClaims

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
        let settled = await settler.settle(outcome, of: accepted)
        reporter.report(settled, of: accepted, clientGone: clientGone)
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
    var events: AsyncStream<RunEvent> { AsyncStream { $0.finish() } }
    func abandon() async -> RunOutcome { outcome }
}
