// Why a text is not accepted as JSON, with the byte offset where reading stopped.

/// A refusal by `JSONReader`.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Equatable {
        /// Not JSON text (RFC 8259): a syntax error, invalid UTF-8, a bad escape, a number out of range.
        case syntax(String)
        /// An object names this member twice (readers disagree on which value wins).
        case duplicateKey(String)
        /// Nested deeper than the reader's limit.
        case tooDeep(limit: Int)
    }

    /// Byte offset in the input where reading stopped.
    public var offset: Int
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .syntax(let what): "invalid JSON at byte \(offset): \(what)"
        case .duplicateKey(let name): "invalid JSON at byte \(offset): member '\(name)' appears more than once"
        case .tooDeep(let limit): "invalid JSON at byte \(offset): nested deeper than \(limit)"
        }
    }
}
