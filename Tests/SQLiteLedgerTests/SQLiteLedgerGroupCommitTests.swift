import Dispatch
import Foundation
import Metering
@testable import SQLiteLedger
import Synchronization
import Testing
import TestSupport

@Suite struct SQLiteLedgerGroupCommitTests {
    /// Holds the first commit until the test releases it.
    final class Gate: Sendable {
        let release = DispatchSemaphore(value: 0)
        let commits = Mutex<[Int]>([])
        let acknowledged = Atomic<Int>(0)

        func hook(_ rows: Int) -> SQLiteLedgerError? {
            let first = commits.withLock { c -> Bool in
                c.append(rows)
                return c.count == 1
            }
            if first { release.wait() }
            return nil
        }
    }

    @Test func appendsArrivingDuringACommit_shareTheNextTransaction() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let gate = Gate()
        var options = SQLiteLedger.Options()
        options.beforeCommit = { gate.hook($0) }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"), options: options)
        defer { ledger.close() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await ledger.append(Fixtures.record("t", 1, 0, run: "first", at: Fixtures.t0))
                gate.acknowledged.add(1, ordering: .relaxed)
            }
            #expect(await eventually { gate.commits.withLock { $0.count } == 1 }, "the first commit is in flight")
            for i in 0..<63 {
                group.addTask {
                    try await ledger.append(Fixtures.record("t\(i)", 1, 0, run: "r\(i)", at: Fixtures.t0))
                    gate.acknowledged.add(1, ordering: .relaxed)
                }
            }
            #expect(await eventually { ledger.queuedWrites == 63 }, "63 appends queue behind it")
            #expect(gate.acknowledged.load(ordering: .relaxed) == 0, "nobody is told before their commit")
            gate.release.signal()
            try await group.waitForAll()
        }
        #expect(gate.commits.withLock { $0 } == [1, 63])
        #expect(ledger.statistics == SQLiteLedger.Statistics(transactions: 2, rows: 64, failedTransactions: 0))
        #expect(try await ledger.loadThreads(activeSince: 0).reduce(0) { $0 + $1.runs } == 64)
    }

    @Test func aFailureOfOneRowInABatch_doesNotFailItsNeighbours() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let gate = Gate()
        var options = SQLiteLedger.Options()
        // The first commit waits for the gate; any later multi-row batch fails with a row-level
        // (not storage-wide) error, so the committer retries its rows one by one.
        options.beforeCommit = { rows in
            let error = gate.hook(rows)
            return rows > 1 ? SQLiteLedgerError(kind: .other, path: "test", message: "injected row-level failure") : error
        }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"), options: options)
        defer { ledger.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ledger.append(Fixtures.record("t", 1, 0, run: "first", at: Fixtures.t0)) }
            #expect(await eventually { gate.commits.withLock { $0.count } == 1 }, "the first commit is in flight")
            for i in 0..<5 {
                group.addTask { try await ledger.append(Fixtures.record("t", 1, 0, run: "r\(i)", at: Fixtures.t0)) }
            }
            #expect(await eventually { ledger.queuedWrites == 5 }, "5 appends queue behind it")
            gate.release.signal()
            try await group.waitForAll()
        }
        #expect(gate.commits.withLock { $0 } == [1, 5, 1, 1, 1, 1, 1])
        #expect(ledger.statistics == SQLiteLedger.Statistics(transactions: 6, rows: 6, failedTransactions: 1))
        #expect(try await ledger.loadThreads(activeSince: 0).first?.runs == 6)
    }

    @Test func batchingDisabled_commitsEveryRunAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = SQLiteLedger.Options()
        options.maxBatchRows = 1
        options.synchronous = .normal
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"), options: options)
        defer { ledger.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<32 {
                group.addTask { try await ledger.append(Fixtures.record("t", 1, 0, run: "r\(i)", at: Fixtures.t0)) }
            }
            try await group.waitForAll()
        }
        #expect(ledger.statistics.transactions == 32)
    }

    @Test func concurrentAppends_useFewerTransactionsThanRuns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { ledger.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask { try await ledger.append(Fixtures.record("t\(i % 10)", 1, 0, run: "r\(i)", at: Fixtures.t0)) }
            }
            try await group.waitForAll()
        }
        let stats = ledger.statistics
        #expect(stats.rows == 200)
        #expect(stats.transactions < 200)
    }
}
