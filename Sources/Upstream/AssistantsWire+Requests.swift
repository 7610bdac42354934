// The request body ThreadMeter sends to start an Assistants API v2 run (contract §5).

extension AssistantsWire {
    /// `POST /threads/{id}/runs`.
    struct RunCreate {
        var assistantId: String
        var stream: Bool
        var additionalInstructions: String?
        var metadata: [String: String]
    }
}
