// One server-sent event block as the tests see it (parsed by HTTPWire.SSEParser).
import HTTPWire

/// One event block: `event:` type, joined `data:` lines, and any comment lines.
public struct TestSSEEvent: Sendable, Equatable {
    /// The `event:` field (`message` when absent, as the standard has it); nil for a comment-only block.
    public var event: String?
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// Comment lines (`: keep-alive` gives `keep-alive`).
    public var comments: [String]

    public init(event: String?, data: String, comments: [String] = []) {
        self.event = event
        self.data = data
        self.comments = comments
    }

    /// A block with only comments.
    public var isComment: Bool { event == nil && data.isEmpty && !comments.isEmpty }

    /// The test view of a parsed event: a comment-only block has no event type.
    public init(_ parsed: SSEEvent) {
        self.init(event: parsed.isCommentOnly ? nil : parsed.event, data: parsed.data, comments: parsed.comments)
    }
}
