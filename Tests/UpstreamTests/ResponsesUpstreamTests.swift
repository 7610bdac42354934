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
}
