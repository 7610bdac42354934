import Metering
import HTTPWire
import Testing
import TestSupport
@testable import Upstream

@Suite("Token estimator")
struct TokenEstimatorTests {
    static func answer(ofAssistantsFixture fixture: String) throws -> String {
        var parser = SSEParser()
        let events = try parser.feed(Array(fixture.utf8))
        return try events.filter { $0.event == "thread.message.delta" }.map { event in
            try WireJSON.decode(AssistantsWire.MessageDelta.self, from: event.data).text
        }.joined()
    }

    @Test("words count one token per started 10 bytes, punctuation one each, whitespace none")
    func counting() {
        #expect(TokenEstimator.estimate("") == 0)
        #expect(TokenEstimator.estimate("  \n ") == 0)
        #expect(TokenEstimator.estimate("sales") == 1)
        #expect(TokenEstimator.estimate("What is sales methodology?") == 6)  // What is sales method|ology ?
        #expect(TokenEstimator.estimate("follow-up, ✓") == 5)
    }

    @Test("the estimate of the recorded answers is within +31% of the completion tokens the fixtures report")
    func fixtureError() throws {
        let assistants = try Self.answer(ofAssistantsFixture: RecordedFixtures.assistantsRunStream)
        #expect(TokenEstimator.estimate(assistants) == 63)  // reported: 49
        var parser = SSEParser()
        let responses = try parser.feed(Array(RecordedFixtures.responsesStream.utf8))
            .filter { $0.event == "response.output_text.delta" }
            .map { try WireJSON.decode(ResponsesWire.TextDelta.self, from: $0.data).delta }
            .joined()
        #expect(TokenEstimator.estimate(responses) == 59)  // reported: 45
    }

    @Test("UsageEstimate counts prompt as input and answer as output")
    func usageEstimate() {
        let usage = UsageEstimate.estimate(prompt: "You are helpful.\nWhat is sales methodology?", answer: "Qualify, then close.")
        #expect(usage == TokenUsage(inputTokens: 10, outputTokens: 5))
        #expect(usage.totalTokens == 15)
    }
}
