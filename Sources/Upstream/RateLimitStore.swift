// The latest x-ratelimit-* headers an upstream sent.
import Synchronization

/// Thread-safe store of the most recent `x-ratelimit-*` values (lowercase names, string values).
final class RateLimitStore: Sendable {
    private let values = Mutex<[String: String]>([:])

    /// Records every `x-ratelimit-*` field of one response (names must be lowercased already);
    /// returns the fields it found.
    @discardableResult
    func record(_ headers: [String: String]) -> [String: String] {
        var found: [String: String] = [:]
        for (name, value) in headers where name.hasPrefix("x-ratelimit-") { found[name] = value }
        if !found.isEmpty { values.withLock { $0.merge(found) { _, new in new } } }
        return found
    }

    func snapshot() -> [String: String] { values.withLock { $0 } }
}

/// An upstream client whose rate-limit store another client of the same upstream can share.
protocol RateLimitSharing {
    var rateLimitStore: RateLimitStore { get }
}
