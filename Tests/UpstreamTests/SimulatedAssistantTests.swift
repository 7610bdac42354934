import Metering
import Testing
@testable import Upstream

@Suite("Simulated assistant")
struct SimulatedAssistantTests {
    static func assistant(seed: UInt64 = 7, delay: Duration = .zero) -> SimulatedAssistant {
        var options = SimulatedAssistant.Options()
        options.seed = seed
        options.delay = delay...delay
        return SimulatedAssistant(options: options)
    }

    static func collect(_ run: any UpstreamRun) async -> (deltas: [String], outcome: RunOutcome?) {
        var deltas: [String] = []
        var outcome: RunOutcome?
        for await event in run.events {
            switch event {
            case .delta(let text): deltas.append(text)
            case .finished(let result): outcome = result
            }
        }
        return (deltas, outcome)
    }

    static func isAlphanumeric(_ text: Substring) -> Bool {
        text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    @Test("a new thread gets a thread_ id with 24 alphanumerics and a run_ id")
    func idsLookReal() async throws {
        let run = try await Self.assistant().startRun(RunRequest(threadId: nil, query: "What is sales methodology?"))
        #expect(run.isNewThread)
        #expect(run.threadId.hasPrefix("thread_") && run.threadId.count == 31)
        #expect(Self.isAlphanumeric(run.threadId.dropFirst(7)))
        let outcome = try #require(await Self.collect(run).outcome)
        let runId = try #require(outcome.runId)
        #expect(runId.hasPrefix("run_") && Self.isAlphanumeric(runId.dropFirst(4)))
        #expect(outcome.model == "gpt-4o-mini")
        #expect(outcome.status == .completed)
        #expect(outcome.error == nil)
    }

    @Test("the answer streams as 8 to 20 deltas and usage is reported at the end")
    func streamsDeltas() async throws {
        for seed in UInt64(1)...20 {
            let run = try await Self.assistant(seed: seed).startRun(RunRequest(threadId: nil, query: "Pricing?"))
            let (deltas, outcome) = await Self.collect(run)
            #expect((8...20).contains(deltas.count))
            let result = try #require(outcome)
            #expect(result.answer == deltas.joined())
            let usage = try #require(result.reportedUsage)
            #expect(usage.outputTokens == TokenEstimator.estimate(result.answer))
            #expect(usage.inputTokens > 0)
            #expect(usage.cachedInputTokens == nil && usage.reasoningTokens == nil)
        }
    }

    @Test("prompt tokens grow with the thread's history; another thread starts small again")
    func usageGrowsWithHistory() async throws {
        let assistant = Self.assistant()
        let first = try await assistant.startRun(RunRequest(threadId: nil, query: "What is sales methodology?"))
        let firstUsage = try #require(await Self.collect(first).outcome?.reportedUsage)
        var previous = firstUsage.inputTokens
        for _ in 0..<3 {
            let next = try await assistant.startRun(RunRequest(threadId: first.threadId, query: "What is sales methodology?"))
            #expect(!next.isNewThread)
            #expect(next.threadId == first.threadId)
            let usage = try #require(await Self.collect(next).outcome?.reportedUsage)
            #expect(usage.inputTokens > previous)
            previous = usage.inputTokens
        }
        let other = try await assistant.startRun(RunRequest(threadId: nil, query: "What is sales methodology?"))
        let otherUsage = try #require(await Self.collect(other).outcome?.reportedUsage)
        #expect(otherUsage.inputTokens == firstUsage.inputTokens)
    }

    @Test("context and additional instructions count as prompt tokens")
    func contextCounts() async throws {
        let plain = try await Self.assistant().startRun(RunRequest(threadId: nil, query: "Q?"))
        let withContext = try await Self.assistant().startRun(RunRequest(
            threadId: nil, query: "Q?", demandStage: "Interest", accountName: "Acme", additionalInstructions: "Be brief."))
        let a = try #require(await Self.collect(plain).outcome?.reportedUsage)
        let b = try #require(await Self.collect(withContext).outcome?.reportedUsage)
        #expect(b.inputTokens > a.inputTokens)
    }

    @Test("an unknown well-formed thread id is accepted as an existing thread")
    func unknownThreadAccepted() async throws {
        let run = try await Self.assistant().startRun(RunRequest(threadId: "thread_fromAnotherDeployment", query: "Hi"))
        #expect(run.threadId == "thread_fromAnotherDeployment")
        #expect(!run.isNewThread)
        #expect(await Self.collect(run).outcome?.status == .completed)
    }

    @Test("a malformed thread id is reported as not found")
    func malformedThreadId() async throws {
        await #expect(throws: UpstreamError.self) {
            _ = try await Self.assistant().startRun(RunRequest(threadId: "../etc", query: "Hi"))
        }
    }

    @Test("the same seed gives the same ids, answer and usage")
    func deterministic() async throws {
        let a = try await Self.assistant(seed: 99).startRun(RunRequest(threadId: nil, query: "Q"))
        let b = try await Self.assistant(seed: 99).startRun(RunRequest(threadId: nil, query: "Q"))
        #expect(a.threadId == b.threadId)
        let outcomeA = await Self.collect(a).outcome
        #expect(outcomeA != nil)
        #expect(outcomeA == (await Self.collect(b).outcome))
    }

    @Test("abandon stops the run, reports status cancelled and the partial usage")
    func abandonReportsPartialUsage() async throws {
        // The same seed without delays gives the full answer this run would have streamed.
        let full = try #require(await Self.collect(Self.assistant().startRun(RunRequest(threadId: nil, query: "Q"))).outcome)
        let assistant = Self.assistant(delay: .milliseconds(200))
        let run = try await assistant.startRun(RunRequest(threadId: nil, query: "Q"))
        var iterator = run.events.makeAsyncIterator()
        let first = await iterator.next()
        guard case .delta(let text) = first else {
            Issue.record("expected a delta, got \(String(describing: first))")
            return
        }
        let outcome = await run.abandon()
        #expect(outcome.status == .cancelled)
        #expect(outcome.answer.hasPrefix(text))
        #expect(outcome.answer.count < full.answer.count, "the run was not stopped early")
        let usage = try #require(outcome.reportedUsage)
        #expect(usage.outputTokens == TokenEstimator.estimate(outcome.answer))
        #expect(usage.inputTokens > 0)
        // The stream still ends with exactly one .finished carrying the same outcome.
        var rest: [RunEvent] = []
        while let event = await iterator.next() { rest.append(event) }
        #expect(rest.last == .finished(outcome))
        #expect(rest.filter { if case .finished = $0 { true } else { false } }.count == 1)
    }

    @Test("abandon after the run finished returns the finished outcome")
    func abandonAfterFinish() async throws {
        let run = try await Self.assistant().startRun(RunRequest(threadId: nil, query: "Q"))
        let outcome = try #require(await Self.collect(run).outcome)
        #expect(await run.abandon() == outcome)
    }

    @Test("with the default delays deltas are spaced out")
    func defaultDelays() async throws {
        var options = SimulatedAssistant.Options()
        options.seed = 1
        options.delay = .milliseconds(2) ... .milliseconds(4)
        let run = try await SimulatedAssistant(options: options).startRun(RunRequest(threadId: nil, query: "Q"))
        let clock = ContinuousClock()
        let start = clock.now
        let (deltas, _) = await Self.collect(run)
        #expect(clock.now - start >= .milliseconds(2) * deltas.count)
    }
}
