// The request body ThreadMeter sends to start a Responses API response (contract §6).

extension ResponsesWire {
    /// `POST /responses`.
    struct ResponseCreate {
        var model: String
        var conversation: String
        var input: [RoleMessage]
        var instructions: String?
        var stream: Bool
        var metadata: [String: String]
    }
}
