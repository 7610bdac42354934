// The JSON of each SSE event and of the non-streaming answer (contract §1), in one place.
import HTTPWire
import JSONText
import Metering

/// Builds the contract's event payloads.
enum QueryEvents {
    static func usage(_ usage: TokenUsage, details: Bool = false) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("input_tokens", .int(usage.inputTokens)),
            ("output_tokens", .int(usage.outputTokens)),
            ("total_tokens", .int(usage.totalTokens)),
        ]
        if details {
            pairs.append(("cached_input_tokens", .int(usage.cachedInputTokens ?? 0)))
            pairs.append(("reasoning_tokens", .int(usage.reasoningTokens ?? 0)))
        }
        return .object(pairs)
    }

    static func threadInfo(agentName: String, threadId: String, newThread: Bool, usage: TokenUsage, budget: JSONValue? = nil) -> JSONValue {
        .object([
            ("type", .string("thread_info")),
            ("agent_name", .string(agentName)),
            ("thread_id", .string(threadId)),
            ("new_thread", .bool(newThread)),
            ("token_usage", QueryEvents.usage(usage)),
        ] + (budget.map { [("budget", $0)] } ?? []))
    }

    static func content(_ text: String) -> JSONValue {
        .object([("type", .string("content")), ("content", .string(text))])
    }

    /// The fields after `thread_id`/`run_id`/`new_thread`/`answer` of a successful run.
    static func completionFields(_ run: SettledRun) -> [(String, JSONValue)] {
        [
            ("run_usage", usage(run.record.usage, details: run.usageHasDetails)),
            ("token_usage", usage(run.totals)),
            ("usage_source", .string(run.record.usageSource.rawValue)),
            ("model", .optional(run.record.model)),
            ("estimated_cost_usd", .optional(roundedUSD(run.record.costUSD))),
        ] + (run.budget.map { [("budget", $0)] } ?? [])
    }

    static func streamComplete(_ run: SettledRun) -> JSONValue {
        .object([
            ("type", .string("stream_complete")),
            ("thread_id", .string(run.record.threadId)),
            ("run_id", .optional(run.runId)),
        ] + completionFields(run))
    }

    static func error(_ failure: SettledRun.Failure, threadId: String, threadTotals: TokenUsage, budget: JSONValue? = nil) -> JSONValue {
        .object([
            ("type", .string("error")),
            ("error", .object([("code", .string(failure.code.rawValue)), ("message", .string(failure.message))])),
            ("thread_id", .string(threadId)),
            ("token_usage", usage(threadTotals)),
        ] + (budget.map { [("budget", $0)] } ?? []))
    }

    /// `stream_complete`, or `error` for a run that failed, as one SSE event.
    static func terminalEvent(_ run: SettledRun) -> [UInt8] {
        guard let failure = run.failure else { return sse("stream_complete", streamComplete(run)) }
        return sse("error", error(failure, threadId: run.record.threadId, threadTotals: run.totals, budget: run.budget))
    }

    /// One SSE event: `event: <type>\ndata: <one-line JSON>\n\n`.
    static func sse(_ type: String, _ payload: JSONValue) -> [UInt8] {
        SSEEncoder.event(type, data: payload.bytes)
    }
}

/// Rounds a USD amount for display (10 decimal places keeps sub-micro-dollar runs visible).
func roundedUSD(_ value: Double?) -> Double? {
    guard let value else { return nil }
    return (value * 1e10).rounded() / 1e10
}
