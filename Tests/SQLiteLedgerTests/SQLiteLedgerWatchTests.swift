// Watched drop-in runs in the SQLite ledger, and reads that see every commit.
import Foundation
import Metering
@testable import SQLiteLedger
import Testing

@Suite struct SQLiteLedgerWatchTests {
    static func watch(_ runId: String, at startedAt: Double, account: String? = "Acme") -> WatchedRun {
        WatchedRun(runId: runId, threadId: "thread_\(runId)", surface: .responses, account: account, streaming: true,
                   requestId: "req_\(runId)", startedAt: startedAt, cancelFirst: true)
    }

    @Test func watchesAreKeptAcrossARestartUntilRemoved() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("l.sqlite")
        let ledger = try SQLiteLedger.open(path)
        try await ledger.addWatch(Self.watch("run_b", at: 20))
        try await ledger.addWatch(Self.watch("run_a", at: 10, account: nil))
        try await ledger.addWatch(Self.watch("run_b", at: 20))  // again: replaced, not doubled
        #expect(try await ledger.watchedRuns() == [Self.watch("run_a", at: 10, account: nil), Self.watch("run_b", at: 20)])
        ledger.close()
        let reopened = try SQLiteLedger.open(path)
        defer { reopened.close() }
        #expect(try await reopened.watchedRuns().map(\.runId) == ["run_a", "run_b"])
        try await reopened.removeWatch(runId: "run_a")
        try await reopened.removeWatch(runId: "run_missing")
        #expect(try await reopened.watchedRuns() == [Self.watch("run_b", at: 20)])
    }

    @Test func aRunLookupDoesNotPinAnOldSnapshotForLaterReads() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { ledger.close() }
        #expect(try await !ledger.containsRun(runId: "run_x"))
        try await ledger.addWatch(Self.watch("run_x", at: 1))
        #expect(try await ledger.watchedRuns().map(\.runId) == ["run_x"], "a read after containsRun sees the later commit")
    }
}
