// A budget event for log pipelines: a run crossed a budget's warn_at, or a run was refused by one.
import Foundation

/// `budget_warning` (a run took a budget's use to its `warn_at`) or `budget_exceeded` (a request was
/// refused because a budget is used up). Sent as a `UsageEvent` whose `budgetAlert` is set: the same
/// log label (`usage`) and webhook, with `sourcetype` `threadmeter:budget`.
public struct BudgetAlert: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case warning = "budget_warning"
        case exceeded = "budget_exceeded"
    }

    public var kind: Kind
    /// `thread`, `account` or `global`.
    public var scope: String
    public var key: String
    public var window: String
    public var usedTokens: Int
    public var maxTokens: Int?
    public var usedUSD: Double
    public var maxUSD: Double?
    /// Unix seconds of the next window start; nil for `total`.
    public var resetsAt: Double?

    public init(kind: Kind, scope: String, key: String, window: String, usedTokens: Int, maxTokens: Int?,
                usedUSD: Double, maxUSD: Double?, resetsAt: Double?) {
        self.kind = kind
        self.scope = scope
        self.key = key
        self.window = window
        self.usedTokens = usedTokens
        self.maxTokens = maxTokens
        self.usedUSD = usedUSD
        self.maxUSD = maxUSD
        self.resetsAt = resetsAt
    }

    /// The HEC `sourcetype` of budget events.
    public static let sourceType = "threadmeter:budget"
}

extension UsageEvent {
    /// A budget event about `threadId` (empty for a thread not created yet) and `account`.
    public static func budget(_ alert: BudgetAlert, time: Date, threadId: String?, account: String?, requestId: String?) -> UsageEvent {
        var event = UsageEvent(time: time, threadId: threadId ?? "", runId: nil, account: account, model: nil, inputTokens: 0,
                               outputTokens: 0, costUSD: nil, usageSource: "none", streaming: false, status: alert.kind.rawValue,
                               requestId: requestId)
        event.budgetAlert = alert
        return event
    }

    /// The HEC event of a budget alert (one JSON line).
    func budgetHEC(_ alert: BudgetAlert, host: String?, source: String) -> String {
        var line = "{\"time\":\(String(format: "%.3f", time.timeIntervalSince1970))"
        if let host { line += ",\"host\":\(LogLineFormatter.jsonString(host))" }
        line += ",\"source\":\(LogLineFormatter.jsonString(source)),\"sourcetype\":\(LogLineFormatter.jsonString(BudgetAlert.sourceType)),\"event\":{"
        line += "\"type\":\(LogLineFormatter.jsonString(alert.kind.rawValue))"
        line += ",\"scope\":\(LogLineFormatter.jsonString(alert.scope)),\"key\":\(LogLineFormatter.jsonString(alert.key))"
        line += ",\"window\":\(LogLineFormatter.jsonString(alert.window))"
        line += ",\"used_tokens\":\(alert.usedTokens),\"max_tokens\":\(alert.maxTokens.map(String.init) ?? "null")"
        line += ",\"used_usd\":\(Self.fixedPoint(alert.usedUSD)),\"max_usd\":\(alert.maxUSD.map(Self.fixedPoint) ?? "null")"
        line += ",\"resets_at\":\(alert.resetsAt.map { String(Int($0)) } ?? "null")"
        line += ",\"thread_id\":\(threadId.isEmpty ? "null" : LogLineFormatter.jsonString(threadId))"
        line += ",\"account\":\(account.map(LogLineFormatter.jsonString) ?? "null")"
        if let requestId { line += ",\"request_id\":\(LogLineFormatter.jsonString(requestId))" }
        line += "}}"
        return line
    }

    /// Log metadata of a budget alert (`event=budget_exceeded scope=account key=Acme …`).
    func budgetLogMetadata(_ alert: BudgetAlert) -> [(String, String)] {
        var pairs: [(String, String)] = [("event", alert.kind.rawValue), ("scope", alert.scope), ("key", alert.key), ("window", alert.window)]
        pairs.append(("used_tokens", String(alert.usedTokens)))
        if let max = alert.maxTokens { pairs.append(("max_tokens", String(max))) }
        pairs.append(("used_usd", Self.fixedPoint(alert.usedUSD)))
        if let max = alert.maxUSD { pairs.append(("max_usd", Self.fixedPoint(max))) }
        if let resetsAt = alert.resetsAt { pairs.append(("resets_at", String(Int(resetsAt)))) }
        if !threadId.isEmpty { pairs.append(("thread_id", threadId)) }
        if let account { pairs.append(("account", account)) }
        if let requestId { pairs.append(("request_id", requestId)) }
        return pairs
    }
}
