// Keeps a label's set of values small, whatever callers pass in.
import Foundation
import Synchronization

/// A cardinality guard for one label: admits the first `limit` distinct values and maps every later
/// new value to `overflow`, so a misbehaving caller cannot grow a metric without bound.
/// Values are trimmed, cut to `maxLength` characters, and empty or nil values become `missing`.
public final class BoundedLabelValues: Sendable {
    public let limit: Int
    public let maxLength: Int
    public let overflow: String
    public let missing: String
    private let seen = Mutex<Set<String>>([])

    public init(limit: Int, maxLength: Int = 64, overflow: String = "other", missing: String = "unknown") {
        precondition(limit > 0 && maxLength > 0, "BoundedLabelValues needs a positive limit and maxLength")
        self.limit = limit
        self.maxLength = maxLength
        self.overflow = overflow
        self.missing = missing
    }

    /// The label value to use for `raw`.
    public func value(for raw: String?) -> String {
        guard let raw else { return missing }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return missing }
        let candidate = trimmed.count > maxLength ? String(trimmed.prefix(maxLength)) : trimmed
        return seen.withLock { seen in
            if seen.contains(candidate) { return candidate }
            guard seen.count < limit else { return overflow }
            seen.insert(candidate)
            return candidate
        }
    }

    /// Number of distinct values admitted so far.
    public var admittedCount: Int { seen.withLock { $0.count } }
}
