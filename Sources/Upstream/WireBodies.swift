// JSON shapes that several upstream protocols share.

/// `{"metadata": {…}}`: creating an Assistants thread or a Responses conversation.
struct MetadataBody {
    var metadata: [String: String]
}

/// `{"role": …, "content": …}`: an Assistants message or a Responses input item.
struct RoleMessage {
    var role: String
    var content: String
}

/// `{"id": …}`: the answer to creating an Assistants thread or a Responses conversation.
struct CreatedObject {
    var id: String
}

/// `incomplete_details`: why a run (response) stopped early.
struct IncompleteDetails {
    var reason: String?
}

/// `last_error` of a run, `error` of a response.
struct WireErrorDetail {
    var code: String?
    var message: String?

    /// `code: message`, or the message alone; nil without a message.
    var text: String? {
        guard let message, !message.isEmpty else { return nil }
        return code.map { "\($0): \(message)" } ?? message
    }
}
