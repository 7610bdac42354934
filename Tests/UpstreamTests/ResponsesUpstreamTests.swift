import Foundation
import Metering
import MockUpstream
import Testing
@testable import Upstream

@Suite("Responses upstream over loopback")
struct ResponsesUpstreamTests {
    @Test("a new thread is a conversation; the response streams and reports usage with its details")
    func completedRun() async throws {
        var settings = MockUpstreamSettings()
        settings.cachedTokens = 16
        settings.reasoningTokens = 4
        try await withMock(settings) { mock in
            let upstream = upstream(.responses, mock, instructions: "You are a sales assistant.")
            let run = try await upstream.startRun(RunRequest(threadId: nil, query: "What is sales methodology?",
                                                              demandStage: "Interest", accountName: "Acme", additionalInstructions: "Be brief."))
            #expect(run.isNewThread)
            #expect(run.threadId.hasPrefix("conv_"))
            let collected = await collect(run)
            let outcome = try #require(collected.outcome)
            #expect(outcome.status == .completed)
            #expect(outcome.model == "gpt-4o-mini-2024-07-18")
            #expect(outcome.runId?.hasPrefix("resp_") == true)
            #expect(collected.deltas.count == 12)
            let usage = try #require(outcome.reportedUsage)
            #expect(usage.inputTokens == mock.reportedUsage.inputTokens)
            #expect(usage.outputTokens == mock.reportedUsage.outputTokens)
            #expect(usage.cachedInputTokens == 16)
            #expect(usage.reasoningTokens == 4)
            #expect(usage.totalTokens == usage.inputTokens + usage.outputTokens)

            let requests = mock.requests
            #expect(requests.map(\.endpoint) == [.createConversation, .createResponse])
            #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer sk-test" })
            #expect(requests.allSatisfy { $0.headers["openai-beta"] == nil })
            #expect(requests[0].metadata == ["demand_stage": "Interest", "account": "Acme"])
            let body = try #require(requests[1].json)
            #expect(body["model"] as? String == "gpt-4o-mini")
            #expect(body["conversation"] as? String == run.threadId)
            #expect(body["stream"] as? Bool == true)
            #expect((body["input"] as? [[String: String]]) == [["role": "user", "content": "What is sales methodology?"]])
            #expect(body["instructions"] as? String == "You are a sales assistant.\ndemand_stage: Interest\naccountName: Acme\nBe brief.")
            #expect(requests[1].metadata == ["demand_stage": "Interest", "account": "Acme"])
        }
    }

    @Test("without instructions or context the instructions field is left out")
    func noInstructions() async throws {
        try await withMock { mock in
            _ = try await collect(upstream(.responses, mock).startRun(RunRequest(threadId: nil, query: "Q?")))
            let body = try #require(mock.requests(to: .createResponse).first?.json)
            #expect(body["instructions"] == nil)
        }
    }

    @Test("an unknown conversation is threadNotFound (404)")
    func unknownConversation() async throws {
        try await withMock { mock in
            let error = await startFailure(upstream(.responses, mock), RunRequest(threadId: "conv_unknown", query: "Q?"))
            guard case .threadNotFound? = error else {
                Issue.record("expected threadNotFound, got \(String(describing: error))")
                return
            }
        }
    }

    @Test("prompt tokens grow as the conversation continues")
    func growsWithHistory() async throws {
        try await withMock { mock in
            let upstream = upstream(.responses, mock)
            let first = try await upstream.startRun(RunRequest(threadId: nil, query: "First?"))
            let a = try #require(await collect(first).outcome?.reportedUsage)
            let second = try await upstream.startRun(RunRequest(threadId: first.threadId, query: "Second?"))
            #expect(!second.isNewThread)
            let b = try #require(await collect(second).outcome?.reportedUsage)
            #expect(b.inputTokens > a.inputTokens)
        }
    }

    @Test("incomplete and failed responses end with that status and the partial usage",
          arguments: [("incomplete", RunStatus.incomplete), ("failed", .failed)])
    func runEnds(name: String, status: RunStatus) async throws {
        try await withMock { mock in
            mock.setFault(.runEnds(name), for: .createResponse)
            let outcome = try await collect(upstream(.responses, mock).startRun(RunRequest(threadId: nil, query: "Q?"))).outcome
            #expect(outcome?.status == status)
            #expect(outcome?.reportedUsage?.outputTokens == mock.reportedUsage.outputTokens)
            #expect(outcome?.reportedUsage?.cachedInputTokens == 0)
        }
    }

    @Test("a response without usage reports none")
    func noUsage() async throws {
        try await withMock { mock in
            mock.setFault(.omitAllUsage, for: .createResponse)
            let outcome = try await collect(upstream(.responses, mock).startRun(RunRequest(threadId: nil, query: "Q?"))).outcome
            #expect(outcome?.status == .completed)
            #expect(outcome?.reportedUsage == nil)
        }
    }

    @Test("stream faults end the run broken", arguments: [MockUpstreamFault.cutStream, .malformedJSON, .malformedSSE, .errorEvent])
    func streamFaults(fault: MockUpstreamFault) async throws {
        try await withMock { mock in
            mock.setFault(fault, for: .createResponse)
            let collected = try await collect(upstream(.responses, mock).startRun(RunRequest(threadId: nil, query: "Q?")))
            #expect(collected.outcome?.status == .broken)
            #expect(collected.finishedEvents == 1)
        }
    }

    @Test("429 on the response is rateLimited with Retry-After")
    func rateLimited() async throws {
        try await withMock { mock in
            mock.setFault(.status(429, retryAfter: "12"), for: .createResponse)
            guard case .rateLimited("12", _)? = await startFailure(upstream(.responses, mock)) else {
                Issue.record("expected rateLimited(12)")
                return
            }
        }
    }

    @Test("abandon closes the stream within a second, then reads the cancelled response's usage")
    func abandonClosesAndPolls() async throws {
        var settings = MockUpstreamSettings()
        settings.deltaCount = 40
        settings.deltaDelay = .milliseconds(30)
        try await withMock(settings) { mock in
            let run = try await upstream(.responses, mock).startRun(RunRequest(threadId: nil, query: "Q?"))
            var iterator = run.events.makeAsyncIterator()
            _ = await iterator.next()
            let clock = ContinuousClock()
            let start = clock.now
            let outcome = await run.abandon()
            #expect(clock.now - start < .seconds(2))
            #expect(outcome.status == .cancelled)
            let runId = try #require(outcome.runId)
            #expect(mock.status(ofRun: runId) == "cancelled")
            // The stream was closed (the response stopped) before the first poll came in.
            #expect(try #require(mock.requests(to: .getResponse).first).receivedAt - start < .seconds(1))
            #expect(mock.requests(to: .getResponse).count >= 1)
            let usage = try #require(outcome.reportedUsage)
            #expect(usage.inputTokens == mock.reportedUsage.inputTokens)
            #expect(usage.outputTokens == mock.reportedUsage.outputTokens)
            #expect(usage.outputTokens < 40)
        }
    }
}
