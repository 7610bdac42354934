// The mock upstream's in-memory world: threads, conversations, runs, responses, faults, request log.

/// Everything the mock remembers, guarded by the server's mutex.
struct MockUpstreamState {
    /// A thread or conversation.
    struct Conversation {
        var messages = 0
        var runs = 0
        /// The latest question added to the thread.
        var lastQuery: String?
        /// Tokens of the earlier questions and answers (they grow the prompt of later runs).
        var historyTokens = 0
        /// Messages in order (Assistants threads): id, role, text.
        var transcript: [(id: String, role: String, text: String)] = []
    }

    /// An Assistants run or a Responses response.
    struct Run {
        var threadId: String
        var status: String
        var promptTokens: Int
        /// Tokens of the question (added to the thread's history when the run ends).
        var queryTokens: Int
        var answerSoFar = ""
        /// Usage visible in `GET` once terminal (nil: omitted).
        var usage: (input: Int, output: Int)?
        var cancelRequested = false
        var cutOnCancel = false
        var omitUsage = false
        /// The creation request's string metadata (echoed by `GET`).
        var metadata: [(String, String)] = []
        /// False for a response created without a conversation.
        var inConversation = true
        /// The terminal usage (or its absence) has been sent to the client.
        var delivered = false
        var isTerminal: Bool { ["completed", "failed", "cancelled", "expired", "incomplete"].contains(status) }
    }

    var settings = MockUpstreamSettings()
    var faults: [MockEndpoint: MockUpstreamFault] = [:]
    var threads: [String: Conversation] = [:]
    var conversations: [String: Conversation] = [:]
    var runs: [String: Run] = [:]
    var finishedOrder: [String] = []
    var finishedHead = 0
    var requests: [RecordedRequest] = []
    var requestCount = 0
    var totals = MockUsageTotals()
    var cancelCalls = 0

    /// Sent the run's terminal usage (or a terminal event without any) to the client: counts it once in `totals`.
    mutating func markDelivered(_ id: String) {
        guard var run = runs[id], run.isTerminal, !run.delivered else { return }
        run.delivered = true
        runs[id] = run
        if let reported = run.usage {
            totals.inputTokens += reported.input
            totals.outputTokens += reported.output
            totals.runs += 1
        } else {
            totals.runsWithoutUsage += 1
        }
    }

    /// Takes back `markDelivered` when the terminal event could not be written after all.
    mutating func undeliver(_ id: String) {
        guard var run = runs[id], run.delivered else { return }
        run.delivered = false
        runs[id] = run
        if let reported = run.usage {
            totals.inputTokens -= reported.input
            totals.outputTokens -= reported.output
            totals.runs -= 1
        } else {
            totals.runsWithoutUsage -= 1
        }
    }

    /// Ends run `id` (once) with its usage (nil when omitted) and adds its tokens to the thread's history.
    mutating func finish(_ id: String, status: String, output: String, usage: (input: Int, output: Int)?, responses: Bool) {
        guard var run = runs[id], !run.isTerminal else { return }
        run.status = status
        run.answerSoFar = output
        run.usage = run.omitUsage ? nil : usage
        runs[id] = run
        let added = run.queryTokens + MockAnswer.tokens(output)
        if responses {
            conversations[run.threadId]?.historyTokens += added
            conversations[run.threadId]?.messages += output.isEmpty ? 0 : 1
        } else {
            threads[run.threadId]?.historyTokens += added
            threads[run.threadId]?.messages += output.isEmpty ? 0 : 1
            if !output.isEmpty { threads[run.threadId]?.transcript.append((id: "msg_\(id.dropFirst(4))", role: "assistant", text: output)) }
        }
        finishedOrder.append(id)
        while finishedOrder.count - finishedHead > max(1, settings.maxRememberedRuns) {
            runs[finishedOrder[finishedHead]] = nil
            finishedHead += 1
        }
        if finishedHead > 4096 && finishedHead * 2 > finishedOrder.count {
            finishedOrder.removeFirst(finishedHead)
            finishedHead = 0
        }
    }

    mutating func record(_ request: RecordedRequest) {
        requestCount += 1
        guard settings.recordRequests else { return }
        requests.append(request)
        if requests.count > max(1, settings.maxRecordedRequests) {
            requests.removeFirst(requests.count - settings.maxRecordedRequests)
        }
    }
}
