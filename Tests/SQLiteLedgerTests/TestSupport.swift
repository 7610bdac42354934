import Foundation
import Glibc
import Metering
@testable import SQLiteLedger
import Telemetry
import Testing
import TestSupport

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/threadmeter-ledger-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            Issue.record("could not remove \(path): \(error)")
        }
    }
}

enum Fixtures {
    static let t0 = 1_767_225_600.0 // 2026-01-01T00:00:00Z

    static func record(
        _ thread: String, _ input: Int, _ output: Int, run: String, at: Double, account: String? = "Acme",
        model: String? = "gpt-4o-mini", cost: Double? = 0.001
    ) -> RunRecord {
        RunRecord(
            runId: run, threadId: thread, account: account, demandStage: "Interest", model: model,
            usage: TokenUsage(inputTokens: input, outputTokens: output, cachedInputTokens: input / 2, reasoningTokens: nil),
            usageSource: .upstream, status: .completed, costUSD: cost, startedAt: at - 2, finishedAt: at,
            streaming: true, recordedAt: at
        )
    }

    /// A spread of runs over three days, three accounts, two models and one unknown model.
    static let records: [RunRecord] = (0..<40).map { (i: Int) -> RunRecord in
        let accounts = ["Acme", "Beta", "Gamma"]
        let account: String? = i % 5 == 0 ? nil : accounts[i % 3]
        let model: String = i % 4 == 0 ? "homegrown" : (i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini")
        let cost: Double? = i % 4 == 0 ? nil : 0.0001 * Double(i)
        let at = t0 + Double(i) * 7_000
        return record("thread_\(i % 7)", 10 + i, 5 + i % 3, run: "run_\(i)", at: at, account: account, model: model, cost: cost)
    }
}

extension SQLiteLedger {
    static func open(_ path: String, options: Options = Options()) throws -> SQLiteLedger {
        try SQLiteLedger(path: path, logger: .noop, options: options)
    }
}

