// The request bodies ThreadMeter sends to the Assistants API v2 (contract §5).

extension AssistantsWire {
    /// `POST /threads`.
    struct ThreadCreate: Encodable {
        var metadata: [String: String]
    }

    /// `POST /threads/{id}/messages`.
    struct MessageCreate: Encodable {
        var role: String
        var content: String
    }

    /// `POST /threads/{id}/runs`.
    struct RunCreate: Encodable {
        var assistantId: String
        var stream: Bool
        var additionalInstructions: String?
        var metadata: [String: String]

        enum CodingKeys: String, CodingKey {
            case assistantId = "assistant_id", stream, additionalInstructions = "additional_instructions", metadata
        }
    }
}
