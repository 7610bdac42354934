// A test upstream whose runs follow a script: fixed usage, failures, missing usage, or a run that hangs.
import Dispatch
import Metering
import Synchronization
import Upstream

/// What one run does.
enum ScriptStep: Sendable {
    /// Streams `deltas`, then completes with `usage` (nil: the upstream reports none).
    case complete(usage: TokenUsage?, deltas: [String] = ["Hello", " there"], model: String? = "gpt-4o-mini")
    /// Streams `deltas`, then ends with `status` and the partial `usage` reported.
    case end(RunStatus, usage: TokenUsage?, deltas: [String] = ["Par"])
    /// `startRun` throws.
    case refuse(UpstreamError)
    /// Streams `deltas`, then waits until abandoned; abandon reports `usage` (status cancelled).
    case hang(deltas: [String], usageOnAbandon: TokenUsage?)
}

final class ScriptedUpstream: RunProvider {
    let kind = "simulated"
    private let steps: Mutex<[ScriptStep]>
    private let fallback: ScriptStep
    private let counter = Atomic<Int>(0)
    let abandoned = Atomic<Int>(0)
    let requests = Mutex<[RunRequest]>([])

    /// How long `startRun` takes (the upstream creating the thread and accepting the run).
    let startDelay: Duration

    init(_ steps: [ScriptStep], fallback: ScriptStep = .complete(usage: TokenUsage(inputTokens: 10, outputTokens: 5)),
         startDelay: Duration = .zero) {
        self.steps = Mutex(steps)
        self.fallback = fallback
        self.startDelay = startDelay
    }

    func rateLimitSnapshot() -> [String: String] { ["x-ratelimit-remaining-requests": "99"] }

    func startRun(_ request: RunRequest) async throws(UpstreamError) -> any UpstreamRun {
        requests.withLock { $0.append(request) }
        if startDelay > .zero {
            // Not cancellable on purpose: a real upstream accepts the run whatever the client does meanwhile.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(startDelay.components.seconds * 1000 + startDelay.components.attoseconds / 1_000_000_000_000_000))) {
                    done.resume()
                }
            }
        }
        let step = steps.withLock { $0.isEmpty ? fallback : $0.removeFirst() }
        let n = counter.add(1, ordering: .relaxed).newValue
        let threadId = request.threadId ?? "thread_scripted\(n)"
        let runId = "run_\(n)"
        switch step {
        case .refuse(let error):
            throw error
        case .complete(let usage, let deltas, let model):
            return ScriptedRun(threadId: threadId, isNewThread: request.threadId == nil, deltas: deltas,
                               final: RunOutcome(runId: runId, model: model, status: .completed, reportedUsage: usage, answer: deltas.joined()),
                               owner: self)
        case .end(let status, let usage, let deltas):
            return ScriptedRun(threadId: threadId, isNewThread: request.threadId == nil, deltas: deltas,
                               final: RunOutcome(runId: runId, model: "gpt-4o-mini", status: status, reportedUsage: usage,
                                                 answer: deltas.joined(), error: .runEnded(status, "scripted \(status.rawValue)")),
                               owner: self)
        case .hang(let deltas, let usage):
            return ScriptedRun(threadId: threadId, isNewThread: request.threadId == nil, deltas: deltas, final: nil,
                               abandonOutcome: RunOutcome(runId: runId, model: "gpt-4o-mini", status: .cancelled, reportedUsage: usage,
                                                          answer: deltas.joined(), error: .runEnded(.cancelled, "cancelled")),
                               owner: self)
        }
    }
}

final class ScriptedRun: UpstreamRun {
    let threadId: String
    let isNewThread: Bool
    let events = RunEvents()
    private let final: RunOutcome?
    private let abandonOutcome: RunOutcome?
    private let owner: ScriptedUpstream

    init(threadId: String, isNewThread: Bool, deltas: [String], final: RunOutcome?, abandonOutcome: RunOutcome? = nil, owner: ScriptedUpstream) {
        self.threadId = threadId
        self.isNewThread = isNewThread
        self.final = final
        self.abandonOutcome = abandonOutcome
        self.owner = owner
        for delta in deltas { events.yield(.delta(delta)) }
        if let final {
            events.yield(.finished(final))
            events.finish()
        }
    }

    func abandon() async -> RunOutcome {
        owner.abandoned.add(1, ordering: .relaxed)
        events.finish()
        return final ?? abandonOutcome!
    }
}
