// Reading the Assistants API v2 shapes from JSON (see `WireReadable`).

extension AssistantsWire.Usage: WireReadable {
    static let wireMembers = ["prompt_tokens", "completion_tokens", "total_tokens"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(promptTokens: try wire.int("prompt_tokens"), completionTokens: try wire.int("completion_tokens"),
                  totalTokens: try wire.optionalInt("total_tokens"))
    }
}

extension AssistantsWire.Run: WireReadable {
    static let wireMembers = ["id", "status", "model", "usage", "last_error", "incomplete_details"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(id: try wire.string("id"), status: try wire.optionalString("status"), model: try wire.optionalString("model"),
                  usage: try wire.optionalObject("usage"), lastError: try wire.optionalObject("last_error"),
                  incompleteDetails: try wire.optionalObject("incomplete_details"))
    }
}

extension AssistantsWire.RunStep: WireReadable {
    static let wireMembers = ["id", "usage"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(id: try wire.optionalString("id"), usage: try wire.optionalObject("usage"))
    }
}

extension AssistantsWire.MessageDelta: WireReadable {
    static let wireMembers = ["delta"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(delta: try wire.object("delta"))
    }
}

extension AssistantsWire.MessageDelta.Delta: WireReadable {
    static let wireMembers = ["content"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(content: try wire.optionalArray("content"))
    }
}

extension AssistantsWire.MessageDelta.Content: WireReadable {
    static let wireMembers = ["type", "text"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(type: try wire.optionalString("type"), text: try wire.optionalObject("text"))
    }
}

extension AssistantsWire.MessageDelta.Content.Text: WireReadable {
    static let wireMembers = ["value"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(value: try wire.optionalString("value"))
    }
}
