// registry-bench: the thread registry's record throughput, memory per tracked thread, and the
// longest pause an eviction sweep causes to concurrent /stats-style callers.
//
//   swift build -c release --product registry-bench && .build/release/registry-bench [--threads 1000000] [--evict 500000]
import Foundation
import Metering
import Synchronization

struct Arguments {
    var threads = 1_000_000
    var evict = 500_000
    var ops = 1_000_000
    var concurrency = 8
    var batch = 4_096

    init() {
        var args = CommandLine.arguments.dropFirst()
        while let flag = args.popFirst() {
            guard let value = args.popFirst(), let n = Int(value), n > 0 else { Self.usage("\(flag) needs a positive integer") }
            switch flag {
            case "--threads": threads = n
            case "--evict": evict = n
            case "--ops": ops = n
            case "--concurrency": concurrency = n
            case "--batch": batch = n
            default: Self.usage("unknown option \(flag)")
            }
        }
        if evict > threads { Self.usage("--evict cannot exceed --threads") }
    }

    static func usage(_ problem: String) -> Never {
        FileHandle.standardError.write(Data("registry-bench: \(problem)\nusage: registry-bench [--threads N] [--evict N] [--ops N] [--concurrency N] [--batch N]\n".utf8))
        exit(2)
    }
}

let clock = ContinuousClock()

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// Thread ids shaped like the upstream's (`thread_` + 24 alphanumerics).
func makeIds(_ n: Int) -> [String] {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    var state: UInt64 = 0x1234_5678_9ABC_DEF0
    return (0..<n).map { _ in
        var id = "thread_"
        for _ in 0..<24 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            id.append(alphabet[Int(state >> 33) % alphabet.count])
        }
        return id
    }
}

let arguments = Arguments()
print("registry-bench: \(arguments.threads) threads, sweep of \(arguments.evict), eviction slices of at most \(arguments.batch) threads or 1 ms, \(ProcessInfo.processInfo.activeProcessorCount) cores")

// 1. Record throughput: beginRun + completeRun pairs from concurrent tasks on 100,000 threads.
do {
    let registry = ThreadRegistry(maxAgeSeconds: 86_400, clock: SystemClock())
    let ids = makeIds(100_000)
    let perTask = arguments.ops / arguments.concurrency
    let start = clock.now
    await withTaskGroup(of: Void.self) { group in
        for task in 0..<arguments.concurrency {
            group.addTask {
                for i in 0..<perTask {
                    let id = ids[(task &* 7_919 &+ i &* 31) % ids.count]
                    await registry.beginRun(threadId: id, account: nil)
                    await registry.completeRun(threadId: id, usage: TokenUsage(inputTokens: 90 + i % 50, outputTokens: 60), costUSD: 0.0001)
                }
            }
        }
    }
    let elapsed = seconds(clock.now - start)
    let runs = perTask * arguments.concurrency
    print("record: \(Int(Double(runs) / elapsed)) completeRun/s (each with its beginRun) from \(arguments.concurrency) tasks, \(runs) runs on 100,000 threads in \(String(format: "%.2f", elapsed)) s")
}

// 2. Memory per tracked thread. The ids are created before the baseline, so the delta is what the
//    registry adds beyond the id strings.
let ids = makeIds(arguments.threads)
let virtualClock = ManualClock(1_800_000_000)
let registry = ThreadRegistry(maxAgeSeconds: 3_600, clock: virtualClock, evictionBatchSize: arguments.batch)
let rssBefore = ResidentMemory.bytes() ?? 0
let fillStart = clock.now
for (i, id) in ids.enumerated() {
    if i == arguments.evict { virtualClock.advance(by: 1_800) } // the first `evict` threads will be idle
    await registry.completeRun(threadId: id, usage: TokenUsage(inputTokens: 100 + i % 1_000, outputTokens: 50 + i % 77), costUSD: 0.0002, account: nil)
}
let fillSeconds = seconds(clock.now - fillStart)
let rssAfter = ResidentMemory.bytes() ?? 0
let idBytes = ids.first.map { $0.utf8.count } ?? 0
print("memory: \(arguments.threads) threads tracked in \(String(format: "%.2f", fillSeconds)) s; RSS +\((rssAfter - rssBefore) / 1_048_576) MiB = \((rssAfter - rssBefore) / arguments.threads) bytes per thread beyond the \(idBytes)-byte id strings (VmRSS delta)")

// 3. Baseline latency of /stats-style calls at this size.
var baseline: [Double] = []
for _ in 0..<200 {
    let t0 = clock.now
    _ = await registry.overview(limit: 100)
    baseline.append(seconds(clock.now - t0))
}
baseline.sort()
print("stats: overview(limit: 100) (totals + top 100) at \(arguments.threads) threads: p50 \(String(format: "%.3f", baseline[baseline.count / 2] * 1_000)) ms, max \(String(format: "%.3f", (baseline.last ?? 0) * 1_000)) ms")

// 4. Eviction sweep of `evict` threads with a concurrent caller of overview / totals / top(100).
virtualClock.advance(by: 1_801 + 1) // only the first `evict` threads are past the 3,600 s max age
/// Calls the registry the way /stats does until `stop` is set; returns each call's latency.
func probe(_ registry: ThreadRegistry, until stop: ManagedFlag) -> Task<[Double], Never> {
    Task {
        var latencies: [Double] = []
        while !stop.isDone {
            // Each call is one caller waiting on the registry: overview (what /stats uses), and the
            // two separate calls.
            var t0 = clock.now
            _ = await registry.overview(limit: 100)
            latencies.append(seconds(clock.now - t0))
            t0 = clock.now
            _ = await registry.totals()
            latencies.append(seconds(clock.now - t0))
            t0 = clock.now
            _ = await registry.top(limit: 100)
            latencies.append(seconds(clock.now - t0))
            do { try await Task.sleep(for: .microseconds(200)) } catch { break }
        }
        return latencies.sorted()
    }
}

func describe(_ probes: [Double]) -> String {
    guard let longest = probes.last else { return "no calls" }
    let p99 = probes[min(probes.count - 1, probes.count * 99 / 100)]
    return "\(probes.count) calls, p50 \(String(format: "%.3f", probes[probes.count / 2] * 1_000)) ms, p99 \(String(format: "%.3f", p99 * 1_000)) ms, longest \(String(format: "%.3f", longest * 1_000)) ms"
}

let sweeping = ManagedFlag()
let prober = probe(registry, until: sweeping)
try await Task.sleep(for: .milliseconds(20))
let sweepStart = clock.now
let evicted = await registry.evictIdle()
let sweepDuration = clock.now - sweepStart
sweeping.finish()
let probes = await prober.value
let remaining = await registry.count
print("eviction: swept \(evicted.count) of \(arguments.threads) threads in \(String(format: "%.3f", seconds(sweepDuration))) s (\(remaining) left)")
print("eviction: concurrent overview / totals() / top(100) calls during the sweep: \(describe(probes))")

// Control: the same caller for the same time without a sweep, to separate the sweep's pauses from
// the machine's scheduling noise.
let idle = ManagedFlag()
let control = probe(registry, until: idle)
try await Task.sleep(for: sweepDuration)
idle.finish()
print("control: the same calls for the same time without a sweep: \(describe(await control.value))")

/// A flag set once by the main flow and read by the prober task.
final class ManagedFlag: Sendable {
    private let done = Mutex(false)
    var isDone: Bool { done.withLock { $0 } }
    func finish() { done.withLock { $0 = true } }
}
