// What the runs a budget covers spent in its window, as the run ledger sums it.

/// The sum over the covered runs in the window: `total_tokens`, known costs, and runs without one.
public struct BudgetUse: Sendable, Equatable {
    public var tokens: Int
    /// Sum of the runs' `estimated_cost_usd`; unpriced runs add 0.
    public var usd: Double
    /// Runs whose cost is unknown (unknown model).
    public var unpricedRuns: Int

    public init(tokens: Int = 0, usd: Double = 0, unpricedRuns: Int = 0) {
        self.tokens = tokens
        self.usd = usd
        self.unpricedRuns = unpricedRuns
    }

    public static let zero = BudgetUse()
}

/// Which ledger rows a budget's use sums. Only rows that count as runs (`RunRecord.countsAsRun`)
/// are summed, over `recorded_at` ≥ `since` (the meter's clock; the database's with PostgreSQL).
public struct BudgetUseQuery: Sendable, Equatable {
    public enum Runs: Sendable, Equatable {
        /// The runs of one thread.
        case thread(String)
        /// The runs naming one account.
        case account(String)
        /// The runs of every thread without a budget of its own (`thread/*` in the admin listing).
        case threadsWithoutBudget
        /// The runs of every account without a budget of its own (`account/*` in the admin listing);
        /// runs without an account are not included.
        case accountsWithoutBudget
        /// Every run (`global/all`).
        case all
    }

    public var runs: Runs
    /// Window start (Unix seconds); nil counts from the beginning.
    public var since: Double?

    public init(_ runs: Runs, since: Double?) {
        self.runs = runs
        self.since = since
    }
}
