// Runs one load test: schedule, worker threads, samplers, then the accounting check.
import Dispatch
import Foundation
import Synchronization

/// Everything a run produced, for the report.
struct LoadRunOutcome: Sendable {
    var options: HarnessOptions
    var results: RunResults
    /// Seconds from the first scheduled start to the last client finishing.
    var elapsed: Double
    var samples: [ProcessSample]
    var health: HealthProbeResult?
    var accounting: AccountingReport?
    /// The most queries in flight at once.
    var peakOpenStreams = 0

    /// Exit 0 only if every query succeeded and the accounting was verified (or not asked for).
    var passed: Bool {
        results.errorCount == 0 && results.queriesFailed == 0 && (accounting?.verified ?? !options.verify)
    }
}

/// Runs the profile against the server and gathers the outcome.
struct LoadRunner {
    let options: HarnessOptions

    func run() throws(HarnessError) -> LoadRunOutcome {
        let address = try SocketAddress(host: options.host, port: options.port)
        let verifier = AccountingVerifier(address: address, options: options)
        var totalsBefore: StatsTotals?
        if options.target == .threadmeter {
            let client = BlockingHTTPClient(address: address, hostHeader: options.hostHeader, timeoutSeconds: 10)
            let health = try client.send(method: "GET", path: options.basePath + "/health")
            guard health.status == 200 else {
                throw HarnessError.server("GET /health answered \(health.status): \(String(health.bodyText.prefix(200)))")
            }
            if options.verify { totalsBefore = try verifier.totals(client: client) }
        }

        let start = MonotonicClock.now() + 5_000_000
        let control = RunControl(startNanos: start)
        let schedule = makeSchedule(start: start)
        let hardStop = options.duration.map { start + UInt64(($0 + options.drainTimeout) * 1e9) }

        let sampler = options.pid.map { ProcessSampler(pid: $0, control: control) }
        try sampler?.start()
        let probe = options.probeHealth ? HealthProbe(address: address, hostHeader: options.hostHeader, path: options.basePath + "/health") : nil
        probe?.start()
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signal(SIGINT, SIG_IGN)
        interrupt.setEventHandler { @Sendable in control.abort.store(true, ordering: .relaxed) }
        interrupt.resume()
        defer { interrupt.cancel() }

        let collected = Mutex<[RunResults]>([])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        let workerCount = min(options.workers, schedule.count)
        for w in 0..<workerCount {
            let share = schedule.enumerated().filter { $0.offset % workerCount == w }.map(\.element)
            group.enter()
            let thread = Thread { [options] in
                do {
                    let worker = try LoadWorker(options: options, address: address, control: control, schedule: share, hardStopAt: hardStop)
                    let results = worker.run()
                    collected.withLock { $0.append(results) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
                group.leave()
            }
            thread.name = "load-worker-\(w)"
            thread.stackSize = 1 << 22
            thread.start()
        }
        while group.wait(timeout: .now() + 5) == .timedOut {
            if !options.quiet { printProgress(control) }
        }
        let elapsed = Double(MonotonicClock.now() - start) / 1e9
        if let failure = failures.withLock({ $0.first }) { throw HarnessError.server("worker failed: \(failure)") }

        var results = RunResults()
        for part in collected.withLock({ $0 }) { results.merge(part) }
        let samples = sampler?.stop() ?? []
        let health = probe?.stop()
        var accounting: AccountingReport?
        if options.verify {
            if !options.quiet { FileHandle.standardError.write(Data("verifying accounting of \(results.ledger.count) threads…\n".utf8)) }
            accounting = verifier.verify(ledger: results.ledger, before: totalsBefore, onlineDiscrepancies: results.accountingDiscrepancies)
        }
        var outcome = LoadRunOutcome(options: options, results: results, elapsed: elapsed, samples: samples, health: health, accounting: accounting)
        outcome.peakOpenStreams = control.peakOpenStreams.load(ordering: .relaxed)
        return outcome
    }

    /// When each client starts and stops issuing queries.
    func makeSchedule(start: UInt64) -> [ClientSchedule] {
        let n = options.clients
        let never = UInt64.max
        func at(_ seconds: Double) -> UInt64 { start + UInt64(max(0, seconds) * 1e9) }
        let stop = options.duration.map { at($0) } ?? never
        switch options.profile {
        case .spike:
            let duration = options.duration ?? 30
            let base = max(1, n / 10)
            return (0..<n).map { i in
                if i < base {
                    return ClientSchedule(index: i, startAt: at(options.rampUp * Double(i) / Double(base)), stopIssuingAt: stop)
                }
                return ClientSchedule(index: i, startAt: at(duration / 3), stopIssuingAt: at(duration * 2 / 3))
            }
        case .steady, .soak, .hold, .slowReaders:
            return (0..<n).map { i in
                ClientSchedule(index: i, startAt: at(options.rampUp * Double(i) / Double(n)), stopIssuingAt: stop)
            }
        }
    }

    private func printProgress(_ control: RunControl) {
        let elapsed = (Double(MonotonicClock.now()) - Double(control.startNanos)) / 1e9
        let line = String(format: "[%6.1fs] completed %d, failed %d, open streams %d\n", elapsed,
                          control.completedQueries.load(ordering: .relaxed), control.failedQueries.load(ordering: .relaxed),
                          control.openStreams.load(ordering: .relaxed))
        FileHandle.standardError.write(Data(line.utf8))
    }
}
