// The run span's name, kind, attributes and status (CONTRACT §11).
import Testing
import Tracing

@Suite struct GenAISpanTests {
    @Test func aResponsesRunCarriesEveryAttributeWithCachedAndReasoningCounts() {
        let span = GenAISpan.make(SpanFixtures.responsesFacts, context: SpanFixtures.context, startTimeUnixNano: 10, endTimeUnixNano: 20)
        #expect(span.name == "chat gpt-4o-mini")
        #expect(span.kind == .client)
        #expect(span.parentSpanID == SpanFixtures.parentID)
        #expect(span.attributes.map(\.key) == [
            "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.conversation.id", "gen_ai.response.id",
            "gen_ai.response.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
            "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.reasoning.output_tokens",
            "threadmeter.usage_source", "threadmeter.estimated_cost_usd", "threadmeter.account",
        ])
        #expect(span[attribute: "gen_ai.operation.name"] == .string("chat"))
        #expect(span[attribute: "gen_ai.provider.name"] == .string("openai"))
        #expect(span[attribute: "gen_ai.conversation.id"] == .string("conv_abc"))
        #expect(span[attribute: "gen_ai.response.id"] == .string("resp_1"))
        #expect(span[attribute: "gen_ai.response.model"] == .string("gpt-4o-mini-2024-07-18"))
        #expect(span[attribute: "gen_ai.usage.input_tokens"] == .int(89))
        #expect(span[attribute: "gen_ai.usage.output_tokens"] == .int(67))
        #expect(span[attribute: "gen_ai.usage.cache_read.input_tokens"] == .int(64))
        #expect(span[attribute: "gen_ai.usage.reasoning.output_tokens"] == .int(0), "0 when not reported")
        #expect(span[attribute: "threadmeter.estimated_cost_usd"] == .double(0.000053))
        #expect(span.status == .unset)
    }

    @Test func anAssistantsRunHasNoCachedOrReasoningAttributesAndIsNamedAfterTheRunsModel() {
        var facts = SpanFixtures.responsesFacts
        facts.api = .assistants
        facts.requestModel = nil
        facts.cachedInputTokens = nil
        let span = GenAISpan.make(facts, context: SpanFixtures.context, startTimeUnixNano: 10, endTimeUnixNano: 20)
        #expect(span.name == "chat gpt-4o-mini-2024-07-18")
        #expect(span[attribute: "gen_ai.usage.cache_read.input_tokens"] == nil)
        #expect(span[attribute: "gen_ai.usage.reasoning.output_tokens"] == nil)
        facts.responseModel = nil
        #expect(GenAISpan.make(facts, context: SpanFixtures.context, startTimeUnixNano: 10, endTimeUnixNano: 20).name == "chat")
    }

    @Test func unknownCostAndNoAccountLeaveTheirAttributesOut() {
        var facts = SpanFixtures.responsesFacts
        facts.estimatedCostUSD = nil
        facts.account = nil
        let span = GenAISpan.make(facts, context: SpanFixtures.context, startTimeUnixNano: 10, endTimeUnixNano: 20)
        #expect(span[attribute: "threadmeter.estimated_cost_usd"] == nil)
        #expect(span[attribute: "threadmeter.account"] == nil)
    }

    @Test func aFailedRunIsAnErrorWithItsErrorTypeAndTheUsageReported() {
        var facts = SpanFixtures.responsesFacts
        facts.errorCode = "upstream_timeout"
        facts.errorMessage = "the upstream did not answer in time"
        let span = GenAISpan.make(facts, context: SpanFixtures.context, startTimeUnixNano: 10, endTimeUnixNano: 20)
        #expect(span.status == Span.Status(code: .error, message: "the upstream did not answer in time"))
        #expect(span[attribute: "error.type"] == .string("upstream_timeout"))
        #expect(span[attribute: "gen_ai.usage.input_tokens"] == .int(89))
    }
}
