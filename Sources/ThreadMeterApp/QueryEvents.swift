// The JSON of each SSE event and of the non-streaming answer (contract §1), in one place.
import HTTPWire
import Metering
import Upstream

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

    static func threadInfo(agentName: String, threadId: String, newThread: Bool, usage: TokenUsage) -> JSONValue {
        .object([
            ("type", .string("thread_info")),
            ("agent_name", .string(agentName)),
            ("thread_id", .string(threadId)),
            ("new_thread", .bool(newThread)),
            ("token_usage", QueryEvents.usage(usage)),
        ])
    }

    static func content(_ text: String) -> JSONValue {
        .object([("type", .string("content")), ("content", .string(text))])
    }

    static func completion(_ run: SettledRun, threadTotals: TokenUsage) -> [(String, JSONValue)] {
        [
            ("thread_id", .string(run.threadId)),
            ("run_id", .optional(run.runId)),
            ("run_usage", usage(run.usage, details: run.usageHasDetails)),
            ("token_usage", usage(threadTotals)),
            ("usage_source", .string(run.source.rawValue)),
            ("model", .optional(run.model)),
            ("estimated_cost_usd", .optional(roundedUSD(run.costUSD))),
        ]
    }

    static func streamComplete(_ run: SettledRun, threadTotals: TokenUsage) -> JSONValue {
        .object([("type", .string("stream_complete"))] + completion(run, threadTotals: threadTotals))
    }

    static func errorPayload(code: String, message: String) -> JSONValue {
        .object([("code", .string(code)), ("message", .string(message))])
    }

    static func error(code: String, message: String, threadId: String, threadTotals: TokenUsage) -> JSONValue {
        .object([
            ("type", .string("error")),
            ("error", errorPayload(code: code, message: message)),
            ("thread_id", .string(threadId)),
            ("token_usage", usage(threadTotals)),
        ])
    }

    /// One SSE event: `event: <type>\ndata: <one-line JSON>\n\n`.
    static func sse(_ type: String, _ payload: JSONValue) -> [UInt8] {
        SSEEncoder.event(type, data: payload.serialized())
    }
}
