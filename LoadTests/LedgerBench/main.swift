// ledger-bench: durable-commit throughput and latency of the SQLite usage ledger, with group commit
// versus one commit per run.
//
//   swift build -c release --product ledger-bench && .build/release/ledger-bench [--seconds 3] [--concurrency 64] [--dir /tmp]
import Foundation
import Metering
import SQLiteLedger
import Telemetry

struct Arguments {
    var seconds = 3.0
    var concurrency = 64
    var directory = "/tmp"
    var recoveryThreads = 100_000

    init() {
        var args = CommandLine.arguments.dropFirst()
        while let flag = args.popFirst() {
            let value = args.popFirst()
            switch (flag, value) {
            case ("--seconds", let v?):
                guard let n = Double(v) else { Self.usage("--seconds needs a number") }
                seconds = n
            case ("--concurrency", let v?):
                guard let n = Int(v) else { Self.usage("--concurrency needs an integer") }
                concurrency = n
            case ("--dir", let v?): directory = v
            case ("--recovery-threads", let v?):
                guard let n = Int(v), n >= 0 else { Self.usage("--recovery-threads needs a non-negative integer") }
                recoveryThreads = n
            default: Self.usage("unknown or incomplete option \(flag)")
            }
        }
        if seconds <= 0 || concurrency <= 0 { Self.usage("--seconds and --concurrency must be positive") }
    }

    static func usage(_ problem: String) -> Never {
        FileHandle.standardError.write(Data("ledger-bench: \(problem)\nusage: ledger-bench [--seconds S] [--concurrency N] [--dir DIR] [--recovery-threads N]\n".utf8))
        exit(2)
    }
}

/// One benchmark configuration.
struct Scenario {
    var name: String
    var concurrency: Int
    var maxBatchRows: Int
    var throughMeter: Bool
}

struct Outcome {
    var runs: Int
    var elapsed: Double
    var latency: LatencySummary
    var transactions: Int
}

func record(_ worker: Int, _ i: Int) -> RunRecord {
    let now = Date().timeIntervalSince1970
    return RunRecord(
        runId: "run_\(worker)_\(i)", threadId: "thread_\(worker % 97)_bench", account: "Account \(worker % 13)",
        demandStage: "Interest", model: "gpt-4o-mini-2024-07-18",
        usage: TokenUsage(inputTokens: 800 + i % 300, outputTokens: 150 + i % 90, cachedInputTokens: 256, reasoningTokens: 0),
        usageSource: .upstream, status: .completed, costUSD: nil, startedAt: now - 2.5, finishedAt: now, streaming: true
    )
}

func run(_ scenario: Scenario, seconds: Double, directory: String) async throws -> Outcome {
    let path = "\(directory)/ledger-bench-\(getpid())-\(scenario.maxBatchRows)-\(scenario.concurrency)-\(scenario.throughMeter).sqlite"
    defer {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }
    var options = SQLiteLedger.Options()
    options.maxBatchRows = scenario.maxBatchRows
    let ledger = try SQLiteLedger(path: path, logger: .noop, options: options)
    defer { ledger.close() }
    let meter = UsageMeter(maxAgeSeconds: 86_400, ledger: ledger)
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start.advanced(by: .milliseconds(Int(seconds * 1_000)))
    let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
        for worker in 0..<scenario.concurrency {
            group.addTask {
                var latencies: [Double] = []
                var i = 0
                while clock.now < deadline {
                    let r = record(worker, i)
                    let t0 = clock.now
                    if scenario.throughMeter {
                        _ = await meter.beginRun(threadId: r.threadId, account: r.account)
                        _ = try await meter.finishRun(r)
                    } else {
                        try await ledger.append(r)
                    }
                    let d = clock.now - t0
                    latencies.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
                    i += 1
                }
                return latencies
            }
        }
        var all: [Double] = []
        for try await part in group { all.append(contentsOf: part) }
        return all
    }
    let elapsed = clock.now - start
    return Outcome(
        runs: samples.count,
        elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
        latency: LatencySummary(samples),
        transactions: ledger.statistics.transactions
    )
}

let arguments = Arguments()
let scenarios = [
    Scenario(name: "one appender, one commit per run", concurrency: 1, maxBatchRows: 4_096, throughMeter: false),
    Scenario(name: "\(arguments.concurrency) appenders, batching OFF (1 run/commit)", concurrency: arguments.concurrency, maxBatchRows: 1, throughMeter: false),
    Scenario(name: "\(arguments.concurrency) appenders, GROUP COMMIT", concurrency: arguments.concurrency, maxBatchRows: 4_096, throughMeter: false),
    Scenario(name: "\(arguments.concurrency) runs via UsageMeter.finishRun, GROUP COMMIT", concurrency: arguments.concurrency, maxBatchRows: 4_096, throughMeter: true),
]
print("ledger-bench: SQLite \(SQLiteLedger.sqliteVersion), WAL, synchronous=FULL, \(arguments.seconds) s per scenario, database in \(arguments.directory)")
for scenario in scenarios {
    let o = try await run(scenario, seconds: arguments.seconds, directory: arguments.directory)
    let perSecond = Int((Double(o.runs) / o.elapsed).rounded())
    let batch = o.transactions > 0 ? Double(o.runs) / Double(o.transactions) : 0
    print("""
        \(scenario.name):
          \(perSecond) runs/s committed (\(o.runs) runs, \(o.transactions) transactions, \((batch * 10).rounded() / 10) runs per fsync)
          latency per durable append: p50 \(LatencySummary.ms(o.latency.p50)), p99 \(LatencySummary.ms(o.latency.p99)), max \(LatencySummary.ms(o.latency.max))
        """)
}

// Recovery at startup: rebuild the registry from a ledger holding `recoveryThreads` active threads
// (3 runs each), plus as many older, idle threads outside the window.
if arguments.recoveryThreads > 0 {
    let path = "\(arguments.directory)/ledger-bench-\(getpid())-recovery.sqlite"
    defer { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
    let ledger = try SQLiteLedger(path: path, logger: .noop)
    let now = Date().timeIntervalSince1970
    var batch: [RunRecord] = []
    for i in 0..<(2 * arguments.recoveryThreads) {
        let active = i < arguments.recoveryThreads
        for run in 0..<3 {
            let at = active ? now - Double(run) * 60 : now - 3 * 86_400
            batch.append(RunRecord(
                runId: "run_\(i)_\(run)", threadId: "thread_\(i)", account: "Account \(i % 13)", model: "gpt-4o-mini",
                usage: TokenUsage(inputTokens: 100, outputTokens: 50), costUSD: 0.00005, startedAt: at - 1, finishedAt: at, recordedAt: at
            ))
        }
        if batch.count >= 30_000 {
            try await ledger.append(contentsOf: batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
    try await ledger.append(contentsOf: batch)
    let meter = UsageMeter(maxAgeSeconds: 86_400, ledger: ledger)
    let clock = ContinuousClock()
    let start = clock.now
    try await meter.recover()
    let elapsed = clock.now - start
    let totals = try await meter.totals()
    print("recovery: \(totals.threads) active threads (\(3 * totals.threads) runs; \(arguments.recoveryThreads) idle threads outside the window) rebuilt in \(elapsed.formatted(.units(allowed: [.milliseconds], width: .abbreviated)))")
    ledger.close()
}
