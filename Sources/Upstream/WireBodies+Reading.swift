// Reading the shapes several upstream protocols share from JSON (see `WireReadable`).

extension CreatedObject: WireReadable {
    static let wireMembers = ["id"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(id: try wire.string("id"))
    }
}

extension IncompleteDetails: WireReadable {
    static let wireMembers = ["reason"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(reason: try wire.optionalString("reason"))
    }
}

extension WireErrorDetail: WireReadable {
    static let wireMembers = ["code", "message"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(code: try wire.optionalString("code"), message: try wire.optionalString("message"))
    }
}

extension IgnoredReply: WireReadable {
    /// Nothing is built; the answer is still checked to be a JSON object.
    static let wireMembers: [String] = []

    init(wire: WireObject) throws(WireShapeError) {
        self.init()
    }
}

extension UpstreamErrorBody: WireReadable {
    static let wireMembers = ["error", "message", "code"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(error: try wire.optionalObject("error"), message: try wire.optionalString("message"), code: try wire.optionalString("code"))
    }
}

extension UpstreamErrorBody.Detail: WireReadable {
    static let wireMembers = ["message", "type", "code", "param"]

    init(wire: WireObject) throws(WireShapeError) {
        self.init(message: try wire.optionalString("message"), type: try wire.optionalString("type"),
                  code: try wire.optionalString("code"), param: try wire.optionalString("param"))
    }
}
