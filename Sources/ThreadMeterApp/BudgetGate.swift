// Enforcement of budgets before any upstream call (§9): one small API every route that runs calls.
import Foundation
import HTTPServer
import HTTPWire
import JSONText
import Metering
import Telemetry

/// Checks a run's budgets before the upstream is called, and reads them again after the run.
///
/// Nothing is cached: every check reads the budgets and the ledger's sums from the usage store, so
/// it refuses exactly when the store's numbers say a budget is used up, on every replica. Usage:
///
/// ```swift
/// let check: BudgetCheck
/// do { check = try await gate.admit(threadId: id, account: account, requestId: rid) }
/// catch { return error.queryResponse }          // or error.openAIResponse on the drop-in routes
/// … start the run upstream, relay it, settle it …
/// let after = await gate.afterRun(check, threadId: threadId, account: account, requestId: rid)
/// ```
public struct BudgetGate: Sendable {
    let book: BudgetBook
    let metrics: ServiceMetrics
    let usageEvents: UsageEventShipper?
    let logger: Logger

    /// Whether a run on `threadId` (nil: a new thread) naming `account` may start. Returns the
    /// budgets that apply (empty when none do), as they stand before the run.
    /// - Throws: `BudgetRefusal.exceeded` when one is used up (the first in the order thread,
    ///   account, global; counted once under its scope, logged and sent as a `budget_exceeded`
    ///   event), `.unavailable` when the store cannot be read (a budget might be used up).
    public func admit(threadId: String?, account: String?, requestId: String?) async throws(BudgetRefusal) -> BudgetCheck {
        let standings: [BudgetStanding]
        let now: Double
        do {
            (standings, now) = try await book.applicable(threadId: threadId, account: account)
        } catch {
            metrics.recordStorageError()
            logger.error("budgets unreadable; request refused", [("request_id", requestId ?? "-"), ("error", "\(error)")])
            throw .unavailable("budgets could not be read from the usage store: \(error)")
        }
        if let used = standings.firstExhausted {
            metrics.recordBudgetRejection(scope: used.budget.scope.rawValue)
            alert(.exceeded, used, threadId: threadId, account: account, requestId: requestId)
            throw .exceeded(used, retryAfter: used.retryAfterSeconds(now: now))
        }
        return BudgetCheck(standings: standings)
    }

    /// The run's budgets after it was settled (for `stream_complete`), or nil when none apply or
    /// the store cannot be read. A budget whose use this run took to `warn_at` is logged and sent
    /// as a `budget_warning` event.
    public func afterRun(_ check: BudgetCheck, threadId: String, account: String?, requestId: String?) async -> BudgetCheck {
        do {
            let after = BudgetCheck(standings: try await book.applicable(threadId: threadId, account: account).standings)
            for standing in after.standings where standing.isWarning {
                let before = check.standings.first { $0.budget.scope == standing.budget.scope && $0.budget.key == standing.budget.key }
                if before?.isWarning != true {
                    alert(.warning, standing, threadId: threadId, account: account, requestId: requestId)
                }
            }
            return after
        } catch {
            logger.warning("budgets unreadable after a run", [("thread_id", threadId), ("error", "\(error)")])
            return BudgetCheck(standings: [])
        }
    }

    /// The budgets that apply to a run on `threadId` as they stand now (no refusal, no event); nil
    /// when the store cannot be read. For a run settled without an admission here (a drop-in run read
    /// by a client, a watch resumed after a restart): its `afterRun` compares with this.
    func current(threadId: String, account: String?) async -> BudgetCheck? {
        (try? await book.applicable(threadId: threadId, account: account)).map { BudgetCheck(standings: $0.standings) }
    }

    private func alert(_ kind: BudgetAlert.Kind, _ standing: BudgetStanding, threadId: String?, account: String?, requestId: String?) {
        let alert = BudgetAlert(
            kind: kind, scope: standing.budget.scope.rawValue, key: standing.budget.key, window: standing.budget.window.rawValue,
            usedTokens: standing.use.tokens, maxTokens: standing.budget.maxTokens, usedUSD: standing.use.usd,
            maxUSD: standing.budget.maxUSD, resetsAt: standing.resetsAt)
        let event = UsageEvent.budget(alert, time: Date(), threadId: threadId, account: account, requestId: requestId)
        let message = kind == .exceeded ? "budget exceeded; request refused before the upstream" : "budget warning: use reached warn_at"
        logger.labelled("usage").warning(message, event.logMetadata)
        _ = usageEvents?.enqueue(event)
    }
}

/// The budgets that apply to one run, as they stood when read.
public struct BudgetCheck: Sendable {
    public var standings: [BudgetStanding]

    public init(standings: [BudgetStanding]) {
        self.standings = standings
    }

    /// What a run shows as `budget`: the least remaining share, ties thread, account, global.
    public var shown: BudgetStanding? { standings.tightest }

    /// The `budget` member of `thread_info` / `stream_complete` / the JSON answer, nil when none applies.
    var json: JSONValue? { shown?.json(markWarning: true) }
}

/// Why a run was not admitted.
public enum BudgetRefusal: Error, Sendable {
    /// A budget is used up; `retryAfter` is the whole seconds until its window resets (nil: `total`).
    case exceeded(BudgetStanding, retryAfter: Int?)
    /// The budgets could not be read.
    case unavailable(String)

    /// The message of the error body.
    public var message: String {
        switch self {
        case .exceeded(let s, _):
            var limits: [String] = []
            if let max = s.budget.maxTokens { limits.append("\(s.use.tokens) of \(max) tokens") }
            if let max = s.budget.maxUSD { limits.append("$\(roundedUSD(s.use.usd) ?? 0) of $\(max)") }
            let window = s.budget.window == .total ? "in total" : "this \(s.budget.window.rawValue) (UTC)"
            return "budget exceeded: the \(s.budget.scope.rawValue) budget '\(s.budget.key)' has used \(limits.joined(separator: " and ")) \(window)"
        case .unavailable(let reason):
            return reason
        }
    }

    /// `/v1/query`'s shape: 429 `{"error":{"code":"budget_exceeded","message","budget"}}` with
    /// `Retry-After`, or 503 `storage_error`.
    public var apiError: APIError {
        switch self {
        case .exceeded(let standing, let retryAfter):
            var error = APIError(.budgetExceeded, message)
            error.errorFields = [("budget", standing.json())]
            if let retryAfter { error.headers.add(name: "Retry-After", value: String(retryAfter)) }
            return error
        case .unavailable:
            return APIError(.storageError, message)
        }
    }

    /// The response on `/v1/query`.
    public var queryResponse: HTTPResponse { apiError.response }

    /// The drop-in routes' shape (§8): `{"error":{"message","type","param","code","budget"}}`,
    /// same status and `Retry-After`.
    public var openAIResponse: HTTPResponse { apiError.openAIResponse }
}
