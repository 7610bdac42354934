// Samples a process's resident memory and OS thread count from /proc while the run goes on.
import Foundation
import Synchronization

/// One reading of /proc/PID.
struct ProcessSample: Sendable {
    /// Seconds since the start of the run.
    var elapsed: Double
    var rssKiB: Int
    var threads: Int
    var openStreams: Int
}

/// Reads /proc/PID/status (VmRSS) and counts /proc/PID/task entries.
enum ProcFS {
    /// VmRSS in KiB, nil when the process is gone or unreadable.
    static func residentKiB(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.dropFirst("VmRSS:".count).filter { $0.isNumber }
            return Int(String(digits))
        }
        return nil
    }

    /// Number of OS threads (entries in /proc/PID/task), nil when the process is gone.
    static func threadCount(pid: Int32) -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        return entries.count
    }
}

/// Samples every `interval` on a background thread between `start()` and `stop()`.
final class ProcessSampler: Sendable {
    private let pid: Int32
    private let control: RunControl
    private let intervalMicros: UInt32
    private let samples = Mutex<[ProcessSample]>([])
    private let running = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(pid: Int32, control: RunControl, intervalMillis: Int = 250) {
        self.pid = pid
        self.control = control
        self.intervalMicros = UInt32(intervalMillis * 1000)
    }

    /// Checks the process exists, takes a first sample and starts the thread.
    func start() throws(HarnessError) {
        guard ProcFS.residentKiB(pid: pid) != nil else { throw HarnessError.usage("--pid \(pid): no such process (or /proc/\(pid)/status unreadable)") }
        takeSample()
        running.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            while running.load(ordering: .relaxed) {
                usleep(intervalMicros)
                takeSample()
            }
            done.signal()
        }
        thread.name = "proc-sampler"
        thread.start()
    }

    /// Stops sampling (after one last sample) and returns every sample.
    func stop() -> [ProcessSample] {
        if running.exchange(false, ordering: .relaxed) { done.wait() }
        takeSample()
        return samples.withLock { $0 }
    }

    private func takeSample() {
        guard let rss = ProcFS.residentKiB(pid: pid), let threads = ProcFS.threadCount(pid: pid) else { return }
        let elapsed = (Double(MonotonicClock.now()) - Double(control.startNanos)) / 1e9
        let sample = ProcessSample(elapsed: elapsed, rssKiB: rss, threads: threads, openStreams: control.openStreams.load(ordering: .relaxed))
        samples.withLock { $0.append(sample) }
    }
}
