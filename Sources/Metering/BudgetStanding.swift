// A budget with its use in the current window: remaining amounts, whether it is used up, warnings.

/// A budget as it stands now (the contract's budget object, §9).
public struct BudgetStanding: Sendable, Equatable {
    public var budget: Budget
    public var use: BudgetUse
    /// Unix seconds of the next window start; nil for `total`.
    public var resetsAt: Double?

    public init(budget: Budget, use: BudgetUse, resetsAt: Double?) {
        self.budget = budget
        self.use = use
        self.resetsAt = resetsAt
    }

    /// `max_tokens - used_tokens`, never below 0; nil without a token limit.
    public var remainingTokens: Int? { budget.maxTokens.map { max(0, $0 - use.tokens) } }

    /// `max_usd - used_usd`, never below 0; nil without a cost limit.
    public var remainingUSD: Double? { budget.maxUSD.map { max(0, $0 - use.usd) } }

    /// A limit is reached: `used_tokens ≥ max_tokens` or `used_usd ≥ max_usd`. The next run is refused.
    public var isExhausted: Bool {
        if let max = budget.maxTokens, use.tokens >= max { return true }
        if let max = budget.maxUSD, use.usd >= max { return true }
        return false
    }

    /// The use of some limit has reached `warn_at` of it.
    public var isWarning: Bool {
        if let max = budget.maxTokens, Double(use.tokens) >= budget.warnAt * Double(max) { return true }
        if let max = budget.maxUSD, use.usd >= budget.warnAt * max { return true }
        return false
    }

    /// The smallest remaining/max over the set limits (0 when used up, 1 when unused).
    public var remainingShare: Double {
        var share = 1.0
        if let max = budget.maxTokens, max > 0 { share = min(share, Double(remainingTokens ?? 0) / Double(max)) }
        if let max = budget.maxUSD, max > 0 { share = min(share, (remainingUSD ?? 0) / max) }
        return share
    }

    /// Whole seconds until `resetsAt` (at least 1), for `Retry-After`; nil for `total`.
    public func retryAfterSeconds(now: Double) -> Int? {
        resetsAt.map { max(1, Int(($0 - now).rounded(.up))) }
    }
}

extension Array where Element == BudgetStanding {
    /// The first used-up budget in the order thread, account, global (the one a refusal shows).
    public var firstExhausted: BudgetStanding? {
        sorted { $0.budget.scope < $1.budget.scope }.first { $0.isExhausted }
    }

    /// The budget with the least remaining share; ties go thread, account, global (what a run shows).
    public var tightest: BudgetStanding? {
        sorted { $0.budget.scope < $1.budget.scope }.min { $0.remainingShare < $1.remainingShare }
    }
}
