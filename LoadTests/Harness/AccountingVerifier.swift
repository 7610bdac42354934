// After the run: compares what the clients received with what the service says it recorded.
import Dispatch
import Synchronization

/// The grand totals of `/stats`.
struct StatsTotals: Sendable, Equatable {
    var usage: UsageFigures
    var threads: Int
}

/// The outcome of the accounting check.
struct AccountingReport: Sendable {
    var threadsInLedger = 0
    var threadsChecked = 0
    var threadsMatched = 0
    var unverifiableThreads = 0
    var unverifiableReasons: [String: Int] = [:]
    /// Every difference found, one line each.
    var mismatches: [String] = []
    var expectedTotal = UsageFigures.zero
    var totalsBefore: StatsTotals?
    var totalsAfter: StatsTotals?
    var totalsChecked = false
    /// Set when the check could not be made at all (e.g. /stats refused the admin token).
    var failure: String?

    /// True when at least one thread was checked and nothing differed.
    var verified: Bool { failure == nil && mismatches.isEmpty && unverifiableThreads == 0 && threadsInLedger > 0 }
}

/// Reads `/stats` with the admin token.
struct AccountingVerifier: Sendable {
    let address: SocketAddress
    let options: HarnessOptions

    private var authHeaders: [(String, String)] {
        options.adminToken.map { [("Authorization", "Bearer \($0)")] } ?? []
    }

    /// The `/stats` totals now.
    func totals(client: BlockingHTTPClient) throws(HarnessError) -> StatsTotals {
        let response = try client.send(method: "GET", path: options.basePath + "/stats?limit=1", headers: authHeaders)
        guard response.status == 200 else {
            throw HarnessError.server("GET /stats answered \(response.status)\(response.status == 401 ? " (pass --admin-token)" : ""): \(String(response.bodyText.prefix(200)))")
        }
        let statistics = try response.json()["statistics"]
        guard let input = statistics?["total_input_tokens"]?.intValue, let output = statistics?["total_output_tokens"]?.intValue,
              let total = statistics?["total_tokens_across_all_threads"]?.intValue, let threads = statistics?["total_threads"]?.intValue else {
            throw HarnessError.server("GET /stats: statistics totals missing: \(String(response.bodyText.prefix(300)))")
        }
        return StatsTotals(usage: UsageFigures(input: input, output: output, total: total), threads: threads)
    }

    /// One thread's recorded usage and runs; nil when the service does not track it.
    func threadFigures(_ threadId: String, client: BlockingHTTPClient) throws(HarnessError) -> (usage: UsageFigures, runs: Int?)? {
        let escaped = Self.percentEncode(threadId)
        let direct = try client.send(method: "GET", path: options.basePath + "/stats/threads/\(escaped)", headers: authHeaders)
        if direct.status == 200 {
            let json = try direct.json()
            guard let usage = UsageFigures(json: json) else {
                throw HarnessError.server("GET /stats/threads/\(threadId): usage fields missing: \(String(direct.bodyText.prefix(200)))")
            }
            return (usage, json["runs"]?.intValue)
        }
        guard direct.status == 404 else {
            throw HarnessError.server("GET /stats/threads/\(threadId) answered \(direct.status): \(String(direct.bodyText.prefix(200)))")
        }
        // Confirm through the list form (also covers a server without the per-thread route).
        let listed = try client.send(method: "GET", path: options.basePath + "/stats?thread_id=\(escaped)", headers: authHeaders)
        guard listed.status == 200 else {
            throw HarnessError.server("GET /stats?thread_id=\(threadId) answered \(listed.status)")
        }
        guard let entry = try listed.json()["statistics"]?["threads"]?[threadId] else { return nil }
        guard let usage = UsageFigures(json: entry) else {
            throw HarnessError.server("GET /stats?thread_id=\(threadId): usage fields missing")
        }
        return (usage, entry["runs"]?.intValue)
    }

    /// Checks every thread in `ledger` and, when `exclusive`, the change of the grand totals.
    func verify(ledger: ThreadLedger, before: StatsTotals?, onlineDiscrepancies: [String]) -> AccountingReport {
        var report = AccountingReport()
        report.threadsInLedger = ledger.count
        report.expectedTotal = ledger.total
        report.totalsBefore = before
        report.mismatches = onlineDiscrepancies
        for id in ledger.collisions { report.mismatches.append("thread \(id): handed to more than one client as a new thread") }
        let entries = ledger.entries.sorted { $0.key < $1.key }
        for (_, entry) in entries {
            if let reason = entry.unverifiableReason {
                report.unverifiableThreads += 1
                report.unverifiableReasons[reason, default: 0] += 1
            }
        }

        // Fetch each thread's figures over a few connections in parallel.
        let checkable = entries.filter { $0.value.unverifiableReason == nil }
        let workers = max(1, min(options.statsConcurrency, checkable.count))
        let lines = Mutex<[String]>([])
        let matched = Atomic<Int>(0)
        let checked = Atomic<Int>(0)
        let failure = Mutex<String?>(nil)
        let chunk = (checkable.count + workers - 1) / max(workers, 1)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let client = BlockingHTTPClient(address: address, hostHeader: options.hostHeader)
            let slice = checkable.dropFirst(worker * chunk).prefix(chunk)
            for (id, entry) in slice {
                do {
                    let figures = try threadFigures(id, client: client)
                    checked.wrappingAdd(1, ordering: .relaxed)
                    guard let figures else {
                        if entry.expected != .zero || entry.completedRuns > 0 {
                            lines.withLock { $0.append("thread \(id): not in /stats, clients saw \(entry.expected) over \(entry.completedRuns) runs") }
                        } else {
                            matched.wrappingAdd(1, ordering: .relaxed)
                        }
                        continue
                    }
                    var problems: [String] = []
                    if figures.usage != entry.expected {
                        problems.append("/stats has \(figures.usage), clients saw \(entry.expected)")
                    }
                    if entry.failedRuns == 0, let runs = figures.runs, runs != entry.completedRuns {
                        problems.append("/stats counts \(runs) runs, clients completed \(entry.completedRuns)")
                    }
                    if problems.isEmpty {
                        matched.wrappingAdd(1, ordering: .relaxed)
                    } else {
                        lines.withLock { $0.append("thread \(id): " + problems.joined(separator: "; ")) }
                    }
                } catch {
                    failure.withLock { if $0 == nil { $0 = "\(error)" } }
                    return
                }
            }
        }
        report.threadsChecked = checked.load(ordering: .relaxed)
        report.threadsMatched = matched.load(ordering: .relaxed)
        report.mismatches += lines.withLock { $0 }.sorted()
        report.failure = failure.withLock { $0 }

        // Grand totals.
        do {
            let client = BlockingHTTPClient(address: address, hostHeader: options.hostHeader)
            let after = try totals(client: client)
            report.totalsAfter = after
            if options.expectExclusive, let before {
                if report.unverifiableThreads == 0 {
                    report.totalsChecked = true
                    let delta = after.usage - before.usage
                    if delta != ledger.total {
                        report.mismatches.append("/stats totals moved by \(delta) during the run, clients saw \(ledger.total)")
                    }
                    let created = ledger.entries.values.filter(\.createdByHarness).count
                    if after.threads - before.threads != created {
                        report.mismatches.append("/stats total_threads moved by \(after.threads - before.threads), clients created \(created) threads")
                    }
                }
            } else if after.usage.total < ledger.total.total {
                // Without exclusivity only a bound holds: the totals cover at least the harness's threads.
                report.mismatches.append("/stats total \(after.usage.total) is less than the \(ledger.total.total) tokens of the harness's own threads")
            }
        } catch {
            if report.failure == nil { report.failure = error.description }
        }
        return report
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
