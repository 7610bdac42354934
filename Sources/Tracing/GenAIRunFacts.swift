// What the span of one run is made from: plain facts about the run, independent of the app's types.
import Telemetry

/// The facts of one settled run, as the app's run reporter knows them.
public struct GenAIRunFacts: Sendable, Equatable {
    /// Which upstream protocol ran it: Responses spans always carry the cached and reasoning counts.
    public enum UpstreamAPI: String, Sendable {
        case assistants
        case responses
    }

    public var api: UpstreamAPI
    /// The thread (Assistants thread or Responses conversation) id: `gen_ai.conversation.id`.
    public var threadID: String?
    /// The run or response id: `gen_ai.response.id`.
    public var runID: String?
    /// The configured model (`OPENAI_MODEL`), if any: names the span with the Responses upstream.
    public var requestModel: String?
    /// The model the upstream reported: `gen_ai.response.model`.
    public var responseModel: String?
    public var inputTokens: Int
    public var outputTokens: Int
    /// Parts of `inputTokens` and `outputTokens`; nil when not reported (0 on Responses spans).
    public var cachedInputTokens: Int?
    public var reasoningTokens: Int?
    /// `upstream` or `estimated`.
    public var usageSource: String?
    /// nil when the model's price is unknown.
    public var estimatedCostUSD: Double?
    /// The request's `accountName`.
    public var account: String?
    /// The contract's `error.code` when the run failed (`upstream_error`, `upstream_timeout`, …).
    public var errorCode: String?
    public var errorMessage: String?

    public init(
        api: UpstreamAPI, threadID: String?, runID: String?, requestModel: String? = nil, responseModel: String?,
        inputTokens: Int, outputTokens: Int, cachedInputTokens: Int? = nil, reasoningTokens: Int? = nil,
        usageSource: String?, estimatedCostUSD: Double?, account: String?, errorCode: String? = nil, errorMessage: String? = nil
    ) {
        self.api = api
        self.threadID = threadID
        self.runID = runID
        self.requestModel = requestModel
        self.responseModel = responseModel
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
        self.usageSource = usageSource
        self.estimatedCostUSD = estimatedCostUSD
        self.account = account
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    /// The facts a usage event already carries; the caller adds what only it knows.
    public init(event: UsageEvent, api: UpstreamAPI, requestModel: String?, errorCode: String?, errorMessage: String? = nil) {
        self.init(
            api: api, threadID: event.threadId, runID: event.runId, requestModel: requestModel, responseModel: event.model,
            inputTokens: event.inputTokens, outputTokens: event.outputTokens,
            cachedInputTokens: event.cachedInputTokens, reasoningTokens: event.reasoningTokens,
            usageSource: event.usageSource, estimatedCostUSD: event.costUSD, account: event.account,
            errorCode: errorCode, errorMessage: errorMessage)
    }
}
