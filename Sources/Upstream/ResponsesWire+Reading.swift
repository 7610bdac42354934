// Reading the Responses API shapes from JSON (see `WireReadable`).

extension ResponsesWire.Usage: WireReadable {
    static let wireMembers = ["input_tokens", "output_tokens", "total_tokens", "input_tokens_details", "output_tokens_details"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(inputTokens: try wire.int("input_tokens"), outputTokens: try wire.int("output_tokens"),
                  totalTokens: try wire.optionalInt("total_tokens"),
                  inputTokensDetails: try wire.optionalObject("input_tokens_details"),
                  outputTokensDetails: try wire.optionalObject("output_tokens_details"))
    }
}

extension ResponsesWire.Usage.InputDetails: WireReadable {
    static let wireMembers = ["cached_tokens"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(cachedTokens: try wire.optionalInt("cached_tokens"))
    }
}

extension ResponsesWire.Usage.OutputDetails: WireReadable {
    static let wireMembers = ["reasoning_tokens"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(reasoningTokens: try wire.optionalInt("reasoning_tokens"))
    }
}

extension ResponsesWire.Response: WireReadable {
    static let wireMembers = ["id", "status", "model", "usage", "error", "incomplete_details"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(id: try wire.string("id"), status: try wire.optionalString("status"), model: try wire.optionalString("model"),
                  usage: try wire.optionalObject("usage"), error: try wire.optionalObject("error"),
                  incompleteDetails: try wire.optionalObject("incomplete_details"))
    }
}

extension ResponsesWire.EventType: WireReadable {
    static let wireMembers = ["type"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(type: try wire.optionalString("type"))
    }
}

extension ResponsesWire.TextDelta: WireReadable {
    static let wireMembers = ["delta"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(delta: try wire.string("delta"))
    }
}

extension ResponsesWire.ResponseEvent: WireReadable {
    static let wireMembers = ["response"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(response: try wire.object("response"))
    }
}

extension ResponsesWire.ErrorEvent: WireReadable {
    static let wireMembers = ["code", "message", "error"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(code: try wire.optionalString("code"), message: try wire.optionalString("message"), error: try wire.optionalObject("error"))
    }
}
