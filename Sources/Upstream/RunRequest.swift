// A client question as an upstream needs it.

/// What the client asked for, as the upstream needs it.
public struct RunRequest: Sendable {
    /// Existing thread to continue; nil starts a new one.
    public var threadId: String?
    public var query: String
    public var demandStage: String?
    public var accountName: String?
    public var additionalInstructions: String?
    /// The W3C `traceparent` of the run's span, sent on the run's upstream calls.
    public var traceparent: String?

    public init(threadId: String?, query: String, demandStage: String? = nil, accountName: String? = nil, additionalInstructions: String? = nil,
                traceparent: String? = nil) {
        self.threadId = threadId
        self.query = query
        self.demandStage = demandStage
        self.accountName = accountName
        self.additionalInstructions = additionalInstructions
        self.traceparent = traceparent
    }

    /// `traceparent` as a header field, when the run has one.
    var traceHeaders: [(String, String)] { traceparent.map { [("traceparent", $0)] } ?? [] }
}
