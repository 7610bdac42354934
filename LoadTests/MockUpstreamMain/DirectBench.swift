// Measures the mock upstream alone, through ThreadMeter's own upstream client (no proxy in between).
import Foundation
import MockUpstream
import Telemetry
import Upstream

/// Runs rounds of N concurrent streamed runs against the mock and reports time to the first delta and
/// to the end of the run (median and p99), per protocol.
struct DirectBench {
    let baseURL: URL
    let apiKey: String
    let concurrency: Int
    let rounds: Int
    let logger: Logger

    struct Sample {
        var firstDelta: Duration
        var complete: Duration
    }

    func run(protocolName: String) async -> String {
        var configuration = UpstreamConfiguration(apiKey: apiKey, baseURL: baseURL,
                                                  api: protocolName == "assistants" ? .assistants : .responses,
                                                  assistantId: "asst_bench", model: "gpt-4o-mini")
        configuration.maxConnections = max(512, concurrency * 2)
        let upstream = makeUpstream(configuration, logger: logger)
        var samples: [Sample] = []
        var failures: [String: Int] = [:]
        let clock = ContinuousClock()
        let wallStart = clock.now
        for _ in 0..<rounds {
            let results = await withTaskGroup(of: Result<Sample, UpstreamError>.self) { group in
                for index in 0..<concurrency {
                    group.addTask { await Self.oneRun(upstream, query: "Bench question \(index)?") }
                }
                var collected: [Result<Sample, UpstreamError>] = []
                for await result in group { collected.append(result) }
                return collected
            }
            for result in results {
                switch result {
                case .success(let sample): samples.append(sample)
                case .failure(let error): failures[error.code + ": " + error.message, default: 0] += 1
                }
            }
        }
        let wall = clock.now - wallStart
        let first = samples.map(\.firstDelta).sorted()
        let complete = samples.map(\.complete).sorted()
        var report = "\(protocolName): \(samples.count) ok, \(failures.values.reduce(0, +)) failed, concurrency \(concurrency) x \(rounds) rounds in \(Self.ms(wall)) ms\n"
        report += "  first delta  median \(Self.ms(Self.percentile(first, 0.5))) ms  p99 \(Self.ms(Self.percentile(first, 0.99))) ms\n"
        report += "  complete     median \(Self.ms(Self.percentile(complete, 0.5))) ms  p99 \(Self.ms(Self.percentile(complete, 0.99))) ms"
        for (message, count) in failures.sorted(by: { $0.value > $1.value }).prefix(5) {
            report += "\n  \(count)x \(message)"
        }
        return report
    }

    static func oneRun(_ upstream: any RunProvider, query: String) async -> Result<Sample, UpstreamError> {
        let clock = ContinuousClock()
        let start = clock.now
        let run: any UpstreamRun
        do {
            run = try await upstream.startRun(RunRequest(threadId: nil, query: query))
        } catch {
            return .failure(error)
        }
        var firstDelta: Duration?
        for await event in run.events {
            switch event {
            case .delta:
                if firstDelta == nil { firstDelta = clock.now - start }
            case .finished(let outcome):
                if let error = outcome.error { return .failure(error) }
                let complete = clock.now - start
                return .success(Sample(firstDelta: firstDelta ?? complete, complete: complete))
            }
        }
        return .failure(.streamBroken("events ended without .finished"))
    }

    static func percentile(_ sorted: [Duration], _ p: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    static func ms(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}
