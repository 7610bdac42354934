// `: keep-alive` comments on a relayed drop-in stream while the upstream is silent (§8 allows `:` lines).
import HTTPServer
import HTTPWire
import Synchronization

/// The relay's writer with keep-alives: every event goes through `write`, and a ticker writes
/// `SSEEncoder.keepAlive` after `KeepAlivePolicy.interval` without an upstream event — but only while
/// the relay is waiting for the upstream (`waitingForUpstream(true)`) and no write is in flight. So
/// nothing is read ahead of the client (the relay still pulls one upstream chunk at a time, after
/// its events were written: backpressure reaches the upstream body), and writes never overlap (an
/// event write waits for a keep-alive in flight). A client busy receiving counts as activity.
protocol DropInKeepAlive: Sendable {
    /// Writes an event (waits for a keep-alive in flight); the silence starts again after it.
    func write(_ bytes: [UInt8]) async throws
    /// The relay is (true) or is no longer (false) waiting for the next upstream chunk.
    func waitingForUpstream(_ waiting: Bool)
    /// Stops the ticker and waits for a keep-alive in flight, before the response ends.
    func stop() async
}

enum DropInKeepAlives {
    /// Keep-alives per `policy` on `writer` (the ticker sleeps on the policy's clock).
    static func start(_ policy: KeepAlivePolicy, writer: any ResponseBodyWriter) -> any DropInKeepAlive {
        make(policy.clock, interval: policy.interval, writer: writer)
    }

    private static func make<C: Clock<Duration>>(_ clock: C, interval: Duration, writer: any ResponseBodyWriter) -> any DropInKeepAlive {
        RelayKeepAlive(clock: clock, interval: interval, writer: writer)
    }
}

private final class RelayKeepAlive<C: Clock<Duration>>: DropInKeepAlive where C.Instant.Duration == Duration {
    private struct State {
        var schedule: KeepAliveSchedule<C.Instant>
        var waiting = false
        /// A write (event or keep-alive) is in flight.
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let clock: C
    private let writer: any ResponseBodyWriter
    private let state: Mutex<State>
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(clock: C, interval: Duration, writer: any ResponseBodyWriter) {
        self.clock = clock
        self.writer = writer
        state = Mutex(State(schedule: KeepAliveSchedule(interval: interval, start: clock.now)))
        let task = Task { [self] in await tick() }
        ticker.withLock { $0 = task }
    }

    func write(_ bytes: [UInt8]) async throws {
        await acquire()
        defer { release(eventSent: true) }
        try await writer.write(bytes)
    }

    func waitingForUpstream(_ waiting: Bool) {
        let now = clock.now
        state.withLock { s in
            s.waiting = waiting
            if waiting { s.schedule.eventSent(at: now) }
        }
    }

    func stop() async {
        guard let task = ticker.withLock({ $0 }) else { return }
        task.cancel()
        await task.value
    }

    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(until: state.withLock { $0.schedule.nextDue }, clock: clock)
            if Task.isCancelled { return }
            let now = clock.now
            let due = state.withLock { s -> Bool in
                guard s.waiting, !s.busy else {
                    // Not silent: the relay is writing or reading events. Count it as activity.
                    s.schedule.eventSent(at: now)
                    return false
                }
                guard s.schedule.keepAliveDue(at: now) else { return false }
                s.busy = true
                return true
            }
            guard due else { continue }
            let failed = (try? await writer.write(SSEEncoder.keepAlive)) == nil
            release(eventSent: false)
            if failed { return }  // the client left; the relay finds out on its next write
        }
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                guard !s.busy else {
                    s.waiters.append(continuation)
                    return false
                }
                s.busy = true
                return true
            }
            if ready { continuation.resume() }
        }
    }

    /// Ends a write: the next waiting event write goes (busy handed over), else the writer is free.
    private func release(eventSent: Bool) {
        let now = clock.now
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if eventSent { s.schedule.eventSent(at: now) }
            guard !s.waiters.isEmpty else {
                s.busy = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
