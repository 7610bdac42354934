import Foundation
import Metering
@testable import SQLiteLedger
import CSQLite
import Synchronization
import Testing
import TestSupport

@Suite struct SQLiteLedgerFailureTests {
    let clock = ManualClock(Fixtures.t0)

    func record(_ thread: String, _ input: Int, run: String, account: String? = nil) -> RunRecord {
        RunRecord(
            runId: run, threadId: thread, account: account, model: "gpt-4o-mini",
            usage: TokenUsage(inputTokens: input, outputTokens: 1), startedAt: clock.now() - 1, finishedAt: clock.now()
        )
    }

    @Test func injectedIOError_makesTheLedgerUnhealthy_andQueuedRowsAreWrittenWhenItRecovers() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let failing = Switch()
        var options = SQLiteLedger.Options()
        options.beforeCommit = { _ in
            failing.isOn
                ? SQLiteLedgerError(kind: .io, path: "test", code: SQLITE_IOERR, message: "injected: disk I/O error")
                : nil
        }
        let ledger = try SQLiteLedger.open(dir.file("l.sqlite"), options: options)
        let meter = UsageMeter(maxAgeSeconds: 3_600, ledger: ledger, clock: clock, retryInterval: .milliseconds(5))

        _ = try await meter.finishRun(record("t", 10, run: "r1"))
        failing.isOn = true
        for i in 2...4 {
            do {
                _ = try await meter.finishRun(record("t", 10, run: "r\(i)"))
                Issue.record("a failing commit was acknowledged")
            } catch {
                #expect(error.snapshot?.usage.inputTokens == 10 * i, "the run is counted in memory")
                #expect(error.queuedForRetry)
                #expect(error.reason.contains("injected: disk I/O error"))
            }
        }
        #expect(!ledger.isHealthy)
        #expect(!meter.isHealthy)
        #expect(ledger.statistics.failedTransactions >= 3)

        failing.isOn = false
        #expect(await eventually { meter.isHealthy }, "the meter is healthy again")
        #expect(ledger.isHealthy)
        ledger.close()

        let reopened = try SQLiteLedger.open(dir.file("l.sqlite"))
        defer { reopened.close() }
        let restarted = UsageMeter(maxAgeSeconds: 3_600, ledger: reopened, clock: clock)
        try await restarted.recover()
        #expect(try await restarted.snapshot(threadId: "t") == (try await meter.snapshot(threadId: "t")))
    }

    @Test(.enabled(if: TmpfsMount.isPermitted, "needs permission to mount tmpfs (root)"))
    func fullDisk_failsWrites_andTheyRecoverWhenSpaceReturns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let mount = try TmpfsMount(at: dir.file("fs"), sizeKiB: 1_024)
        defer { mount.unmount() }
        let ledger = try SQLiteLedger.open(mount.file("l.sqlite"))
        let meter = UsageMeter(maxAgeSeconds: 3_600, ledger: ledger, clock: clock, retryInterval: .milliseconds(20))
        _ = try await meter.finishRun(record("t", 10, run: "r1"))

        let filler = mount.fill()
        // A large row needs fresh pages in the WAL, which the full filesystem cannot give.
        let big = String(repeating: "x", count: 64 * 1024)
        do {
            _ = try await meter.finishRun(record("t", 5, run: "r2", account: big))
            Issue.record("a write on a full disk was acknowledged")
        } catch {
            #expect(error.snapshot?.usage.inputTokens == 15)
            #expect(error.reason.contains("full"), "\(error.reason)")
        }
        #expect(!meter.isHealthy)

        try FileManager.default.removeItem(atPath: filler)
        #expect(await eventually { meter.isHealthy }, "the meter is healthy again")
        _ = try await meter.finishRun(record("t", 1, run: "r3"))
        let threads = try await ledger.loadThreads(activeSince: 0)
        #expect(threads.first?.usage.inputTokens == 16)
        #expect(threads.first?.runs == 3)
        ledger.close()
    }
}

/// A flag shared with a ledger hook.
final class Switch: Sendable {
    private let state = Atomic<Bool>(false)
    var isOn: Bool {
        get { state.load(ordering: .relaxed) }
        set { state.store(newValue, ordering: .relaxed) }
    }
}
