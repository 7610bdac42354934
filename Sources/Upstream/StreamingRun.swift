// One accepted run whose SSE stream is read as it arrives and relayed as RunEvents.
import EventLoops
import Metering
import Foundation
import HTTPWire
import Synchronization
import Telemetry

/// Reads an upstream SSE stream on its connection's loop as it arrives, relays each text delta at
/// once, and ends with one `.finished`. `abandon()` stops the run upstream (see `RunControl`) and returns the outcome with the
/// usage the upstream reported, reading the stream or polling the run for a bounded time.
final class StreamingRun<Interpreter: StreamInterpreter>: UpstreamRun {
    private struct State {
        var interpreter = Interpreter()
        var parser = SSEParser()
        /// Why the body ended early (the first failure); nil while it reads cleanly.
        var failure: UpstreamError?
        /// The body was given up (malformed): what still arrives is ignored.
        var stoppedReading = false
        var delivered = false
        var abandoning = false
        var abandonTask: Task<RunOutcome, Never>?
    }

    let threadId: String
    let isNewThread: Bool
    let events: RunEvents
    private let state = Mutex(State())
    /// Fires when the outcome was delivered or the body ended.
    private let settled = Signal()
    private let response: UpstreamHTTPResponse
    private let control: RunControl<Interpreter.Polled>
    private let logger: Logger

    init(threadId: String, isNewThread: Bool, response: UpstreamHTTPResponse, control: RunControl<Interpreter.Polled>, logger: Logger) {
        self.threadId = threadId
        self.isNewThread = isNewThread
        self.response = response
        self.control = control
        self.logger = logger
        events = RunEvents()
        events.onConsumerCancelled { [weak self] in
            // The consumer was cancelled without calling abandon(): stop the run anyway.
            guard let self else { return }
            Task { _ = await self.abandon() }
        }
        // The body is read on the upstream connection's loop as it arrives: each chunk is parsed and
        // its deltas handed to the consumer in the same turn, with no task in between.
        response.deliver { [self] chunk in self.received(chunk) }
    }

    // MARK: Reading

    /// One piece of the body (on the connection's loop, in order); nil: the body ended.
    private func received(_ chunk: BodyChunk?) {
        switch chunk {
        case .data(let bytes)?:
            let parsed = state.withLock { state -> [SSEEvent]? in
                guard !state.stoppedReading else { return [] }
                do {
                    return try state.parser.feed(bytes)
                } catch {
                    state.stoppedReading = true
                    state.failure = .malformed("an upstream SSE line or event exceeded \(state.parser.maxEventBytes) bytes")
                    return nil
                }
            }
            guard let parsed else {
                response.cancel()
                return
            }
            for event in parsed { apply(event) }
        case .failed(let error)?:
            state.withLock { state in
                if state.failure == nil { state.failure = error }
            }
        case nil:
            let outcome = state.withLock { state -> RunOutcome? in
                guard state.interpreter.outcome == nil, !state.abandoning else { return nil }
                return state.interpreter.streamEnded(failure: state.failure)
            }
            if let outcome { deliver(outcome) }
            settled.fire()
        }
    }

    private func apply(_ event: SSEEvent) {
        let actions = state.withLock { $0.interpreter.handle(event) }
        for action in actions {
            switch action {
            case .delta(let text):
                events.yield(.delta(text))
            case .runCreated(let id):
                if logger.isEnabled(.debug) { logger.debug("upstream run created", [("thread_id", threadId), ("run_id", id)]) }
            case .finished(let outcome):
                deliver(outcome)
            case .cancelUpstream:
                guard let runId = state.withLock({ $0.interpreter.runId }) else { break }
                Task { await self.requestCancel(runId) }
            }
        }
    }

    private func deliver(_ outcome: RunOutcome) {
        let first = state.withLock { state -> Bool in
            defer { state.delivered = true }
            return !state.delivered
        }
        guard first else { return }
        if logger.isEnabled(.debug) { logOutcome(outcome) }
        events.yield(.finished(outcome))
        events.finish()
        settled.fire()
    }

    private func logOutcome(_ outcome: RunOutcome) {
        var metadata = [("thread_id", threadId), ("run_id", outcome.runId ?? "-"), ("status", outcome.status.rawValue)]
        if let usage = outcome.reportedUsage {
            metadata += [("input_tokens", String(usage.inputTokens)), ("output_tokens", String(usage.outputTokens))]
            if let cached = usage.cachedInputTokens { metadata.append(("cached_input_tokens", String(cached))) }
            if let reasoning = usage.reasoningTokens { metadata.append(("reasoning_tokens", String(reasoning))) }
        } else {
            metadata.append(("usage", "none reported"))
        }
        if let error = outcome.error { metadata.append(("error", error.message)) }
        logger.debug("upstream run ended", metadata)
    }

    // MARK: Abandoning

    func abandon() async -> RunOutcome {
        let task = state.withLock { state -> Task<RunOutcome, Never> in
            if let task = state.abandonTask { return task }
            state.abandoning = true
            let task = Task.onCurrentLoop { await self.stopAndSettle() }
            state.abandonTask = task
            return task
        }
        return await task.value
    }

    private func stopAndSettle() async -> RunOutcome {
        await stopAndSettle(clock: control.clock)
    }

    private func stopAndSettle<C: Clock<Duration>>(clock: C) async -> RunOutcome {
        if let outcome = state.withLock({ $0.interpreter.outcome }) { return outcome }
        let deadline = clock.now.advanced(by: control.abandonTimeout)
        guard let runId = state.withLock({ $0.interpreter.runId }) else {
            // No run id yet: nothing to cancel or poll; closing the stream is all that can be done.
            response.cancel()
            await settled.wait(until: deadline, clock: clock)
            return settle { $0.stopped(reason: "stopped before the upstream reported a run id") }
        }
        logger.debug("stopping upstream run", [("thread_id", threadId), ("run_id", runId)])
        if control.closeStreamToStop {
            response.cancel()
        } else {
            await requestCancel(runId)
        }
        await settled.wait(until: deadline, clock: clock)
        if let outcome = state.withLock({ $0.interpreter.outcome }) {
            deliver(outcome)
            return outcome
        }
        // The stream ended (or stalled) before a terminal event: read the run itself.
        response.cancel()
        while clock.now < deadline {
            do {
                let polled = try await control.fetch(runId)
                if let outcome = state.withLock({ $0.interpreter.finish(fromPolled: polled) }) {
                    deliver(outcome)
                    return outcome
                }
            } catch {
                logger.warning("polling a stopped upstream run failed", [("run_id", runId), ("error", error.message)])
            }
            do {
                try await clock.sleep(until: min(deadline, clock.now.advanced(by: control.pollInterval)), tolerance: nil)
            } catch {
                break  // cancelled: give up polling
            }
        }
        let seconds = control.abandonTimeout.seconds
        return settle { $0.streamEnded(failure: .timeout("the run did not reach a terminal status within \(seconds) s after it was stopped")) }
    }

    private func requestCancel(_ runId: String) async {
        do {
            try await control.requestCancel(runId)
        } catch {
            // Typically 400 "cannot cancel run with status completed": the stream still ends the run.
            logger.warning("cancelling the upstream run failed", [("run_id", runId), ("error", error.message)])
        }
    }

    /// Ends the run with the interpreter's outcome (or `make`'s, when it has none yet) and delivers it.
    private func settle(_ make: (inout Interpreter) -> RunOutcome) -> RunOutcome {
        let outcome = state.withLock { state in state.interpreter.outcome ?? make(&state.interpreter) }
        deliver(outcome)
        return outcome
    }
}
