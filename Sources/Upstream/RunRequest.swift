// A client question as an upstream needs it.

/// What the client asked for, as the upstream needs it.
public struct RunRequest: Sendable {
    /// Existing thread to continue; nil starts a new one.
    public var threadId: String?
    public var query: String
    public var demandStage: String?
    public var accountName: String?
    public var additionalInstructions: String?

    public init(threadId: String?, query: String, demandStage: String? = nil, accountName: String? = nil, additionalInstructions: String? = nil) {
        self.threadId = threadId
        self.query = query
        self.demandStage = demandStage
        self.accountName = accountName
        self.additionalInstructions = additionalInstructions
    }
}
