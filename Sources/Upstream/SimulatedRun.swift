// One streaming run of the simulated assistant.
import Metering

/// Streams a planned answer delta by delta; `abandon()` stops it and reports the partial usage.
final class SimulatedRun: UpstreamRun {
    /// Everything decided when the run started.
    struct Plan: Sendable {
        var threadId: String
        var isNewThread: Bool
        var runId: String
        var model: String
        var deltas: [String]
        var delays: [Duration]
        var promptTokens: Int
    }

    let threadId: String
    let isNewThread: Bool
    let events: RunEvents
    private let task: Task<RunOutcome, Never>

    init(plan: Plan, onFinish: @escaping @Sendable (RunOutcome) -> Void) {
        threadId = plan.threadId
        isNewThread = plan.isNewThread
        let events = RunEvents()
        self.events = events
        task = Task {
            var answer = ""
            var cancelled = false
            for (delta, delay) in zip(plan.deltas, plan.delays) {
                if delay > .zero {
                    do {
                        try await Task.sleep(for: delay)
                    } catch {
                        cancelled = true  // CancellationError: abandon() was called
                        break
                    }
                }
                if Task.isCancelled {
                    cancelled = true
                    break
                }
                answer += delta
                events.yield(.delta(delta))
            }
            let usage = TokenUsage(inputTokens: plan.promptTokens, outputTokens: TokenEstimator.estimate(answer))
            let outcome = RunOutcome(
                runId: plan.runId,
                model: plan.model,
                status: cancelled ? .cancelled : .completed,
                reportedUsage: usage,
                answer: answer,
                error: cancelled ? .runEnded(.cancelled, "run cancelled by the client") : nil
            )
            onFinish(outcome)
            events.yield(.finished(outcome))
            events.finish()
            return outcome
        }
    }

    func abandon() async -> RunOutcome {
        task.cancel()
        return await task.value
    }
}
