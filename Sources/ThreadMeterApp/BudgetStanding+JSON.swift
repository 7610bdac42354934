// The contract's budget object (§9) as JSON, for the admin API, query events and refusals.
import JSONText
import Metering

extension BudgetStanding {
    /// `{"scope","key","window","max_tokens","max_usd","warn_at","used_tokens","used_usd",
    /// "remaining_tokens","remaining_usd","unpriced_runs","resets_at"}`; with `warning: true` on a
    /// run's events when the use has reached `warn_at` (`markWarning`).
    func json(markWarning: Bool = false) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("scope", .string(budget.scope.rawValue)),
            ("key", .string(budget.key)),
            ("window", .string(budget.window.rawValue)),
            ("max_tokens", budget.maxTokens.map { .int($0) } ?? .null),
            ("max_usd", budget.maxUSD.map { .double($0) } ?? .null),
            ("warn_at", .double(budget.warnAt)),
            ("used_tokens", .int(use.tokens)),
            ("used_usd", .double(roundedUSD(use.usd) ?? 0)),
            ("remaining_tokens", remainingTokens.map { .int($0) } ?? .null),
            ("remaining_usd", remainingUSD.map { .double(roundedUSD($0) ?? 0) } ?? .null),
            ("unpriced_runs", .int(use.unpricedRuns)),
            ("resets_at", resetsAt.map { .int(Int($0)) } ?? .null),
        ]
        if markWarning, isWarning { members.append(("warning", .bool(true))) }
        return .object(members)
    }
}
