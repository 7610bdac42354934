// One dispatched server-sent event.

/// A server-sent event as the WHATWG HTML "event stream interpretation" dispatches it.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field; `"message"` when the event named none.
    public var event: String
    /// The `data:` lines joined by `\n` (no trailing newline).
    public var data: String
    /// The last event id seen so far in the stream (the `id:` field persists across events); nil if none.
    public var lastEventId: String?
    /// The comment lines of the block (`: keep-alive` gives `keep-alive`), kept only by a parser made
    /// with `keepsComments`; always empty otherwise.
    public var comments: [String]

    public init(event: String = "message", data: String, lastEventId: String? = nil, comments: [String] = []) {
        self.event = event
        self.data = data
        self.lastEventId = lastEventId
        self.comments = comments
    }

    /// True for a block of comments only (dispatched only by a parser that keeps comments).
    public var isCommentOnly: Bool { data.isEmpty && !comments.isEmpty }

    /// True for the OpenAI end-of-stream sentinel `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }
}
