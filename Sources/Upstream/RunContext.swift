// How a request's sales context (demand stage, account, extra instructions) reaches a run.

/// The context a client sent with its question, rendered as the upstreams need it.
///
/// Context lines are `demand_stage: <value>` and `accountName: <value>` (empty values left out);
/// run metadata is `{"demand_stage": …, "account": …}` with values cut to the API's 512-character limit.
struct RunContext: Sendable {
    /// OpenAI rejects metadata values longer than this.
    static let maxMetadataValueLength = 512

    let request: RunRequest
    /// `INSTRUCTIONS` (Responses) or the simulator's system instructions.
    let instructions: String?

    init(request: RunRequest, instructions: String?) {
        self.request = request
        self.instructions = instructions
    }

    var contextLines: [String] {
        var lines: [String] = []
        if let stage = request.demandStage, !stage.isEmpty { lines.append("demand_stage: \(stage)") }
        if let account = request.accountName, !account.isEmpty { lines.append("accountName: \(account)") }
        return lines
    }

    /// Assistants `additional_instructions`: the context lines, then the client's additional
    /// instructions, newline-joined; nil when there is nothing to say.
    var additionalInstructions: String? {
        Self.join(contextLines + [request.additionalInstructions].compactMap { $0 })
    }

    /// Responses `instructions`: `INSTRUCTIONS`, the context lines, the client's additional
    /// instructions, newline-joined; nil when empty.
    var responsesInstructions: String? {
        Self.join([instructions].compactMap { $0 } + contextLines + [request.additionalInstructions].compactMap { $0 })
    }

    /// Run (and thread/conversation) metadata: string values only.
    var metadata: [String: String] {
        var metadata: [String: String] = [:]
        if let stage = request.demandStage, !stage.isEmpty { metadata["demand_stage"] = Self.clip(stage) }
        if let account = request.accountName, !account.isEmpty { metadata["account"] = Self.clip(account) }
        return metadata
    }

    /// Everything the simulated model "reads" for this run besides the thread history.
    var simulatedPrompt: String {
        [responsesInstructions, request.query].compactMap { $0 }.joined(separator: "\n")
    }

    private static func join(_ parts: [String]) -> String? {
        let kept = parts.filter { !$0.isEmpty }
        return kept.isEmpty ? nil : kept.joined(separator: "\n")
    }

    private static func clip(_ value: String) -> String {
        value.count <= maxMetadataValueLength ? value : String(value.prefix(maxMetadataValueLength))
    }
}
