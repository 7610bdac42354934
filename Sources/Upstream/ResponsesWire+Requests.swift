// The request bodies ThreadMeter sends to the Responses + Conversations API (contract §6).

extension ResponsesWire {
    /// `POST /conversations`.
    struct ConversationCreate: Encodable {
        var metadata: [String: String]
    }

    /// One `input` item of `POST /responses`.
    struct InputMessage: Encodable {
        var role: String
        var content: String
    }

    /// `POST /responses`.
    struct ResponseCreate: Encodable {
        var model: String
        var conversation: String
        var input: [InputMessage]
        var instructions: String?
        var stream: Bool
        var metadata: [String: String]
    }
}
