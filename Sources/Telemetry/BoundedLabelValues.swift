// Keeps a label's set of values small, whatever callers pass in.
import Foundation
import Synchronization

/// A cardinality guard for one label: admits the first `limit` distinct values and maps every later
/// new value to `overflow`, so a misbehaving caller cannot grow a metric without bound.
/// Raw values are normalised (by `normalise`, then trimmed and cut to `maxLength` characters; empty
/// or nil values become `missing`) once: the result per raw value is remembered, so a repeated
/// value costs one dictionary lookup under a short lock.
public final class BoundedLabelValues: Sendable {
    public let limit: Int
    public let maxLength: Int
    public let overflow: String
    public let missing: String
    private let normalise: @Sendable (String) -> String

    private struct State {
        /// Label values handed out so far (at most `limit`).
        var admitted: Set<String> = []
        /// Raw value → label value, for raw values seen before (bounded, see `rememberLimit`).
        var resolved: [String: String] = [:]
    }

    private let state = Mutex(State())
    /// How many distinct raw values are remembered; beyond that, new raw values are normalised each time.
    private var rememberLimit: Int { limit * 8 }

    public init(
        limit: Int, maxLength: Int = 64, overflow: String = "other", missing: String = "unknown",
        normalise: @escaping @Sendable (String) -> String = { $0 }
    ) {
        precondition(limit > 0 && maxLength > 0, "BoundedLabelValues needs a positive limit and maxLength")
        self.limit = limit
        self.maxLength = maxLength
        self.overflow = overflow
        self.missing = missing
        self.normalise = normalise
    }

    /// The label value to use for `raw`.
    public func value(for raw: String?) -> String {
        guard let raw else { return missing }
        if let known = state.withLock({ $0.resolved[raw] }) { return known }
        let candidate = clean(normalise(raw))
        let rememberLimit = rememberLimit
        return state.withLock { state in
            let label: String
            if candidate == missing || state.admitted.contains(candidate) {
                label = candidate
            } else if state.admitted.count < limit {
                state.admitted.insert(candidate)
                label = candidate
            } else {
                label = overflow
            }
            if state.resolved.count < rememberLimit { state.resolved[raw] = label }
            return label
        }
    }

    /// Number of distinct values admitted so far (`missing` and `overflow` not included).
    public var admittedCount: Int { state.withLock { $0.admitted.count } }

    private func clean(_ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return missing }
        return trimmed.count > maxLength ? String(trimmed.prefix(maxLength)) : trimmed
    }
}
