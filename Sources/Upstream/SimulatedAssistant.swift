// The built-in assistant used when no OPENAI_API_KEY is set: answers like the real API, without a network.
import Metering
import Synchronization
import Telemetry

/// A stand-in upstream that behaves like the Assistants API: `thread_…`/`run_…` ids, model
/// `gpt-4o-mini`, an answer streamed as 8–20 deltas with small delays, and usage reported at the end
/// whose prompt tokens grow with the thread's history (instructions + earlier questions and answers +
/// this question). Any well-formed thread id is accepted as an existing thread.
public final class SimulatedAssistant: RunProvider {
    /// Settings of the simulation.
    public struct Options: Sendable {
        /// Pause before each delta, drawn uniformly from this range.
        public var delay: ClosedRange<Duration> = .milliseconds(20) ... .milliseconds(40)
        /// System instructions counted into each run's prompt tokens.
        public var instructions: String = "You are a helpful sales assistant."
        /// Seed for ids, answers and delays; nil draws from the system generator.
        public var seed: UInt64?
        /// Threads whose history is remembered; beyond this the oldest are forgotten (their history
        /// then counts from zero again, as for any unknown well-formed id).
        public var maxRememberedThreads: Int = 100_000
        /// Reported as `model`.
        public var model: String = "gpt-4o-mini"

        public init() {}
    }

    /// What the simulator remembers of a thread.
    struct ThreadHistory {
        var tokens = 0
        var messages = 0
        var runs = 0
    }

    struct State {
        var rng: SeededGenerator
        var threads: [String: ThreadHistory] = [:]
        var order: [String] = []
        var orderHead = 0
    }

    public let kind = "simulated"
    let options: Options
    private let state: Mutex<State>
    private let logger: Logger

    public init(options: Options = Options(), logger: Logger = .noop) {
        self.options = options
        self.logger = logger.labelled("simulated-assistant")
        let seed = options.seed ?? UInt64.random(in: .min ... .max)
        self.state = Mutex(State(rng: SeededGenerator(seed: seed)))
    }

    public func rateLimitSnapshot() -> [String: String] { [:] }

    public func startRun(_ request: RunRequest) async throws(UpstreamError) -> any UpstreamRun {
        if let id = request.threadId, !ThreadIdentifier.isWellFormed(id) {
            throw .threadNotFound("no thread with id \(id)")
        }
        let prompt = RunContext(request: request, instructions: options.instructions).simulatedPrompt
        let plan = state.withLock { state -> SimulatedRun.Plan in
            let isNew = request.threadId == nil
            let threadId = request.threadId ?? "thread_" + Self.randomAlphanumerics(24, using: &state.rng)
            if state.threads[threadId] == nil { remember(threadId, in: &state) }
            var history = state.threads[threadId] ?? ThreadHistory()
            history.runs += 1
            history.messages += 1
            state.threads[threadId] = history
            let answer = SimulatedAnswer.make(query: request.query, runNumber: history.runs, messages: history.messages, using: &state.rng)
            let delays = answer.deltas.map { _ in Self.randomDuration(in: options.delay, using: &state.rng) }
            return SimulatedRun.Plan(
                threadId: threadId,
                isNewThread: isNew,
                runId: "run_" + Self.randomAlphanumerics(24, using: &state.rng),
                model: options.model,
                deltas: answer.deltas,
                delays: delays,
                promptTokens: history.tokens + TokenEstimator.estimate(prompt)
            )
        }
        logger.debug("simulated run started", [("thread_id", plan.threadId), ("run_id", plan.runId)])
        let questionTokens = TokenEstimator.estimate(request.query)
        return SimulatedRun(plan: plan) { [weak self] outcome in
            self?.record(threadId: plan.threadId, questionTokens: questionTokens, outcome: outcome)
        }
    }

    /// Adds the finished run's question and (possibly partial) answer to the thread's history.
    private func record(threadId: String, questionTokens: Int, outcome: RunOutcome) {
        let answerTokens = outcome.reportedUsage?.outputTokens ?? 0
        state.withLock { state in
            if state.threads[threadId] == nil { remember(threadId, in: &state) }
            state.threads[threadId, default: ThreadHistory()].tokens += questionTokens + answerTokens
            state.threads[threadId, default: ThreadHistory()].messages += outcome.answer.isEmpty ? 0 : 1
        }
    }

    private func remember(_ threadId: String, in state: inout State) {
        state.threads[threadId] = ThreadHistory()
        state.order.append(threadId)
        while state.threads.count > max(1, options.maxRememberedThreads), state.orderHead < state.order.count {
            state.threads[state.order[state.orderHead]] = nil
            state.orderHead += 1
        }
        if state.orderHead > 1024 && state.orderHead * 2 > state.order.count {
            state.order.removeFirst(state.orderHead)
            state.orderHead = 0
        }
    }

    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func randomAlphanumerics(_ count: Int, using rng: inout some RandomNumberGenerator) -> String {
        String((0..<count).map { _ in alphanumerics[Int.random(in: 0..<alphanumerics.count, using: &rng)] })
    }

    static func randomDuration(in range: ClosedRange<Duration>, using rng: inout some RandomNumberGenerator) -> Duration {
        let low = range.lowerBound / .nanoseconds(1)
        let high = range.upperBound / .nanoseconds(1)
        guard high > low else { return range.lowerBound }
        return .nanoseconds(Int64(Double.random(in: low...high, using: &rng)))
    }
}
