// Measures GET /health latency on its own connection while the load runs.
import Foundation
import Synchronization

/// What the probe saw.
struct HealthProbeResult: Sendable {
    var latency = LatencyHistogram()
    var failures = 0
    var firstFailure: String?
}

/// Sends `GET /health` every `interval` on a background thread between `start()` and `stop()`.
final class HealthProbe: Sendable {
    private let address: SocketAddress
    private let hostHeader: String
    private let path: String
    private let intervalMicros: UInt32
    private let result = Mutex(HealthProbeResult())
    private let running = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(address: SocketAddress, hostHeader: String, path: String, intervalMillis: Int = 100) {
        self.address = address
        self.hostHeader = hostHeader
        self.path = path
        self.intervalMicros = UInt32(intervalMillis * 1000)
    }

    func start() {
        running.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            let client = BlockingHTTPClient(address: address, hostHeader: hostHeader, timeoutSeconds: 10)
            while running.load(ordering: .relaxed) {
                probeOnce(client)
                usleep(intervalMicros)
            }
            done.signal()
        }
        thread.name = "health-probe"
        thread.start()
    }

    func stop() -> HealthProbeResult {
        if running.exchange(false, ordering: .relaxed) { done.wait() }
        return result.withLock { $0 }
    }

    private func probeOnce(_ client: BlockingHTTPClient) {
        let start = MonotonicClock.now()
        do {
            let response = try client.send(method: "GET", path: path)
            let micros = (MonotonicClock.now() - start) / 1000
            result.withLock { state in
                if response.status == 200 {
                    state.latency.record(micros)
                } else {
                    state.failures += 1
                    if state.firstFailure == nil { state.firstFailure = "status \(response.status): \(String(response.bodyText.prefix(200)))" }
                }
            }
        } catch {
            client.disconnect()
            result.withLock { state in
                state.failures += 1
                if state.firstFailure == nil { state.firstFailure = "\(error)" }
            }
        }
    }
}
