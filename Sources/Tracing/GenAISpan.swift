// The span of one run, following the OpenTelemetry GenAI semantic conventions (CONTRACT §11).

/// Builds the CLIENT span of a run from its facts.
public enum GenAISpan {
    /// Name `chat {model}` (the configured model with Responses, else the run's model; `chat` when
    /// neither is known), kind CLIENT, the §11 attributes in a fixed order, and status ERROR with
    /// `error.type` when the run failed.
    public static func make(_ facts: GenAIRunFacts, context: SpanContext, startTimeUnixNano: UInt64, endTimeUnixNano: UInt64) -> Span {
        let nameModel = facts.api == .responses ? (facts.requestModel ?? facts.responseModel) : (facts.responseModel ?? facts.requestModel)
        var attributes: [SpanAttribute] = [
            SpanAttribute("gen_ai.operation.name", .string("chat")),
            SpanAttribute("gen_ai.provider.name", .string("openai")),
        ]
        if let thread = facts.threadID { attributes.append(SpanAttribute("gen_ai.conversation.id", .string(thread))) }
        if let run = facts.runID { attributes.append(SpanAttribute("gen_ai.response.id", .string(run))) }
        if let model = facts.responseModel { attributes.append(SpanAttribute("gen_ai.response.model", .string(model))) }
        attributes.append(SpanAttribute("gen_ai.usage.input_tokens", .int(facts.inputTokens)))
        attributes.append(SpanAttribute("gen_ai.usage.output_tokens", .int(facts.outputTokens)))
        if facts.api == .responses {
            attributes.append(SpanAttribute("gen_ai.usage.cache_read.input_tokens", .int(facts.cachedInputTokens ?? 0)))
            attributes.append(SpanAttribute("gen_ai.usage.reasoning.output_tokens", .int(facts.reasoningTokens ?? 0)))
        }
        if let source = facts.usageSource { attributes.append(SpanAttribute("threadmeter.usage_source", .string(source))) }
        if let cost = facts.estimatedCostUSD, cost.isFinite {
            attributes.append(SpanAttribute("threadmeter.estimated_cost_usd", .double(cost)))
        }
        if let account = facts.account, !account.isEmpty { attributes.append(SpanAttribute("threadmeter.account", .string(account))) }
        var status = Span.Status.unset
        if let code = facts.errorCode {
            attributes.append(SpanAttribute("error.type", .string(code)))
            status = Span.Status(code: .error, message: facts.errorMessage)
        }
        return Span(
            traceID: context.traceID, spanID: context.spanID, parentSpanID: context.parentSpanID,
            name: nameModel.map { "chat \($0)" } ?? "chat", kind: .client,
            startTimeUnixNano: startTimeUnixNano, endTimeUnixNano: max(startTimeUnixNano, endTimeUnixNano),
            attributes: attributes, status: status)
    }
}
