// Recovery and history computed over rows in memory: the reference semantics of a ledger.

/// The ledger queries over plain arrays. `InMemoryLedger` uses them; the SQLite ledger implements
/// the same semantics in SQL, and its tests compare the two.
public enum LedgerAggregation {
    /// Threads whose rows after their latest eviction include one accounted at or after
    /// `activeSince`, with those rows summed. Rows are taken in `records` order (the append order).
    public static func threads(records: [RunRecord], evictions: [(threadId: String, at: Double)], activeSince: Double) -> [ThreadUsageSnapshot] {
        var lastEviction: [String: Double] = [:]
        for eviction in evictions {
            lastEviction[eviction.threadId] = max(lastEviction[eviction.threadId] ?? -.infinity, eviction.at)
        }
        var byThread: [String: ThreadUsageSnapshot] = [:]
        var order: [String] = []
        for record in records {
            let at = record.accountedAt
            if let evictedAt = lastEviction[record.threadId], at < evictedAt { continue }
            if var snapshot = byThread[record.threadId] {
                snapshot.usage.inputTokens += record.usage.inputTokens
                snapshot.usage.outputTokens += record.usage.outputTokens
                snapshot.runs += record.countsAsRun ? 1 : 0
                snapshot.lastActivity = max(snapshot.lastActivity, at)
                if let account = record.account { snapshot.account = account }
                if let cost = record.costUSD { snapshot.costUSD = (snapshot.costUSD ?? 0) + cost }
                byThread[record.threadId] = snapshot
            } else {
                order.append(record.threadId)
                byThread[record.threadId] = ThreadUsageSnapshot(
                    threadId: record.threadId, usage: record.usage.withoutDetails, runs: record.countsAsRun ? 1 : 0,
                    lastActivity: at, account: record.account, costUSD: record.costUSD
                )
            }
        }
        return order.compactMap { id in
            guard let snapshot = byThread[id], snapshot.lastActivity >= activeSince else { return nil }
            return snapshot
        }
    }

    /// Runs with `finishedAt` in [since, until), grouped and ordered by key.
    public static func history(records: [RunRecord], since: Double?, until: Double?, groupBy: UsageGrouping) -> [UsageBucket] {
        var buckets: [String: UsageBucket] = [:]
        for record in records {
            if let since, record.finishedAt < since { continue }
            if let until, record.finishedAt >= until { continue }
            let key: String
            switch groupBy {
            case .account: key = record.account ?? ""
            case .model: key = record.model ?? ""
            case .day: key = UTCDay.string(from: record.finishedAt)
            }
            var bucket = buckets[key] ?? UsageBucket(key: key, runs: 0, inputTokens: 0, outputTokens: 0, costUSD: 0)
            bucket.runs += 1
            bucket.inputTokens += record.usage.inputTokens
            bucket.outputTokens += record.usage.outputTokens
            bucket.totalTokens = bucket.inputTokens + bucket.outputTokens
            if let cost = record.costUSD { bucket.costUSD += cost } else { bucket.unpricedRuns += 1 }
            buckets[key] = bucket
        }
        return buckets.values.sorted { $0.key < $1.key }
    }
}
