// One event-loop thread: epoll over its clients' sockets plus a timer heap; owns its results.

/// When each client starts and stops, decided once for the whole run.
struct ClientSchedule: Sendable {
    var index: Int
    var startAt: UInt64
    var stopIssuingAt: UInt64
}

/// Drives a share of the virtual clients on the calling thread until they have all finished.
final class LoadWorker {
    let options: HarnessOptions
    let address: SocketAddress
    let control: RunControl
    let poller: Poller
    let requests: RequestBuilder
    var timers = TimerQueue()
    var results = RunResults()
    /// Shared receive buffer: clients parse what they read before the next read.
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var clients: [VirtualClient] = []
    private var activeClients = 0
    /// After this, streams still in flight are abandoned (duration + drain timeout).
    private let hardStopAt: UInt64?

    init(options: HarnessOptions, address: SocketAddress, control: RunControl, schedule: [ClientSchedule], hardStopAt: UInt64?) throws(HarnessError) {
        self.options = options
        self.address = address
        self.control = control
        self.poller = try Poller(capacity: 1024)
        self.requests = RequestBuilder(options: options)
        self.hardStopAt = hardStopAt
        for (slot, entry) in schedule.enumerated() {
            clients.append(VirtualClient(index: entry.index, slot: slot, startAt: entry.startAt, stopIssuingAt: entry.stopIssuingAt, seed: options.seed))
        }
        activeClients = clients.count
    }

    func clientFinished() { activeClients -= 1 }

    /// Runs until every client has finished (or the run is aborted) and returns what was measured.
    func run() -> RunResults {
        for client in clients {
            timers.schedule(TimerEntry(deadline: client.startAt, client: client.slot, action: .startQuery))
        }
        while activeClients > 0 {
            let now = MonotonicClock.now()
            if control.abort.load(ordering: .relaxed) {
                abandonAll(reason: "aborted: run interrupted")
                break
            }
            if let hardStopAt, now >= hardStopAt {
                abandonAll(reason: "aborted: stream still open after the drain timeout")
                break
            }
            while let timer = timers.popDue(now: now) {
                fire(timer, now: now)
            }
            guard activeClients > 0 else { break }
            var waitMillis: Int32 = 100
            if let next = timers.nextDeadline {
                let due = next > now ? (next - now + 999_999) / 1_000_000 : 0
                waitMillis = Int32(min(UInt64(waitMillis), due))
            }
            poller.wait(timeoutMillis: waitMillis) { event in
                let slot = Int(event.token >> 32)
                let generation = UInt32(truncatingIfNeeded: event.token)
                guard slot < clients.count else { return }
                let client = clients[slot]
                // Events of a closed connection can still be in this batch: ignore them.
                guard client.connectionGeneration == generation, client.fd >= 0 else { return }
                client.handle(self, event)
            }
        }
        return results
    }

    private func fire(_ timer: TimerEntry, now: UInt64) {
        let client = clients[timer.client]
        switch timer.action {
        case .startQuery: client.startNextQuery(self, now: now)
        case .queryTimeout(let sequence): client.timeoutFired(self, sequence: sequence)
        case .resumeReading(let connection): client.resumeReading(self, connection: connection)
        }
    }

    private func abandonAll(reason: String) {
        for client in clients where !client.finished {
            client.abandon(self, reason: reason)
        }
    }

    // MARK: accounting of one finished query

    /// Adds a finished query to the latency figures, the error counts and the thread ledger.
    func account(_ record: QueryRecord, client: VirtualClient) {
        let start = record.startNanos
        func micros(_ t: UInt64) -> UInt64 { t >= start ? (t - start) / 1000 : 0 }
        if let t = record.threadInfoAt { results.timeToThreadInfo.record(micros(t)) }
        if let t = record.firstContentAt { results.timeToFirstContent.record(micros(t)) }
        results.contentEvents += record.contentEvents
        results.keepAliveComments += record.keepAliveComments

        let succeeded = record.violations.isEmpty && record.terminal == .complete
        if succeeded {
            results.queriesSucceeded += 1
            if let t = record.terminalAt { results.timeToComplete.record(micros(t)) }
            control.completedQueries.wrappingAdd(1, ordering: .relaxed)
        } else {
            results.queriesFailed += 1
            control.failedQueries.wrappingAdd(1, ordering: .relaxed)
            if let violation = record.violations.first {
                results.recordError(violation.kind, detail: violation.detail)
            } else if case .error(let code) = record.terminal {
                results.recordError("stream error: \(code)", detail: record.terminalDetail)
            } else {
                results.recordError("protocol: no terminal event")
            }
        }
        if options.target == .threadmeter {
            recordInLedger(record)
        } else if record.newThread == true {
            results.newThreads += 1
        }
    }

    /// What the service must have accumulated for the query's thread, from what the client saw.
    private func recordInLedger(_ record: QueryRecord) {
        guard let threadId = record.threadId, record.threadInfoAt != nil else { return }  // no run started
        var entry = results.ledger[threadId]
        let seenBefore = entry.completedRuns + entry.failedRuns > 0 || entry.unverifiableReason != nil
        if record.newThread == true {
            if seenBefore { results.ledger.noteCollision(threadId) }
            entry.createdByHarness = true
            results.newThreads += 1
        }
        if entry.createdByHarness, entry.unverifiableReason == nil, let before = record.usageBefore, before != entry.expected {
            results.recordDiscrepancy("thread \(threadId): thread_info token_usage \(before), but its runs so far add up to \(entry.expected)")
        }
        switch record.terminal {
        case .complete:
            guard let run = record.runUsage else {
                entry.unverifiableReason = "stream_complete without a readable run_usage"
                break
            }
            entry.expected += run
            entry.completedRuns += 1
            if let before = record.usageBefore, let after = record.usageAfter, after != before + run {
                results.recordDiscrepancy("thread \(threadId): stream_complete token_usage \(after) ≠ thread_info \(before) + run_usage \(run)")
            }
        case .error:
            if let before = record.usageBefore, let after = record.usageAfter {
                let accumulated = after - before
                if accumulated.input < 0 || accumulated.output < 0 {
                    results.recordDiscrepancy("thread \(threadId): error token_usage \(after) is below thread_info \(before)")
                }
                entry.expected += accumulated
                entry.failedRuns += 1
            } else {
                entry.unverifiableReason = "error event without token_usage"
            }
        case nil:
            entry.unverifiableReason = "run abandoned by the client (\(record.violations.first?.kind ?? "unknown"))"
        }
        results.ledger[threadId] = entry
    }
}
