// JSON shapes that several upstream protocols share.

/// `{"metadata": {…}}`: creating an Assistants thread or a Responses conversation.
struct MetadataBody: Encodable {
    var metadata: [String: String]
}

/// `{"role": …, "content": …}`: an Assistants message or a Responses input item.
struct RoleMessage: Encodable {
    var role: String
    var content: String
}

/// `{"id": …}`: the answer to creating an Assistants thread or a Responses conversation.
struct CreatedObject: Decodable {
    var id: String
}
