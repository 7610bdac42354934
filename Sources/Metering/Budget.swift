// A spending limit (contract §9): scope, key, window, limits and the warning threshold.

/// What a budget covers.
public enum BudgetScope: String, Sendable, CaseIterable, Comparable {
    /// One thread (or, with key `*`, every thread without a budget of its own).
    case thread
    /// One customer account (or, with key `*`, every account without a budget of its own).
    case account
    /// Every run; the only key is `all`.
    case global

    /// Enforcement and display order: thread, account, global.
    public var rank: Int {
        switch self {
        case .thread: 0
        case .account: 1
        case .global: 2
        }
    }

    public static func < (a: BudgetScope, b: BudgetScope) -> Bool { a.rank < b.rank }
}

/// A budget's limits on one scope and key. Use (`BudgetUse`) is not stored with it: it is read from
/// the run ledger for the window, so it equals the ledger by construction.
public struct Budget: Sendable, Equatable {
    /// The key of a scope's default budget (`thread/*`, `account/*`).
    public static let defaultKey = "*"
    /// The only key of the global scope.
    public static let globalKey = "all"
    /// `warn_at` when none is given.
    public static let defaultWarnAt = 0.8

    public var scope: BudgetScope
    /// A thread id, an account name (decoded), `*`, or `all` for the global scope.
    public var key: String
    public var window: BudgetWindow
    /// Most `total_tokens` in the window; nil when not limited.
    public var maxTokens: Int?
    /// Most `estimated_cost_usd` in the window; nil when not limited.
    public var maxUSD: Double?
    /// Fraction of a limit (0 < x ≤ 1) at which a warning is shown.
    public var warnAt: Double

    public init(scope: BudgetScope, key: String, window: BudgetWindow, maxTokens: Int? = nil, maxUSD: Double? = nil,
                warnAt: Double = Budget.defaultWarnAt) {
        self.scope = scope
        self.key = key
        self.window = window
        self.maxTokens = maxTokens
        self.maxUSD = maxUSD
        self.warnAt = warnAt
    }

    /// Whether this is its scope's default (`*`).
    public var isDefault: Bool { key == Budget.defaultKey && scope != .global }
}

extension Budget {
    /// Whether this budget may apply to a run on `threadId` naming `account`: the thread's own or the
    /// `*` thread budget, the named account's own or the `*` account budget (only when an account is
    /// named), and `global/all`. `BudgetBook` then picks own over `*`.
    public func mayApply(threadId: String?, account: String?) -> Bool {
        switch scope {
        case .thread: key == Budget.defaultKey || key == threadId
        case .account: account != nil && (key == Budget.defaultKey || key == account)
        case .global: key == Budget.globalKey
        }
    }
}
