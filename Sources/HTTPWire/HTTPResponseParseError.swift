// Why bytes from a server are not a well-framed HTTP/1.x response.

/// A response the parser refuses. Every case is fatal for the connection: framing that cannot be
/// trusted must not be guessed at (a wrong guess desynchronises every later response).
public enum HTTPResponseParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `HTTP/1.x SP 3DIGIT [SP reason]`.
    case invalidStatusLine
    /// A version other than HTTP/1.0 or HTTP/1.1.
    case unsupportedVersion
    /// `101 Switching Protocols`, which was never asked for.
    case unexpectedUpgrade
    /// A line not ended by CRLF (bare CR or bare LF).
    case invalidLineEnding
    /// A field line starting with whitespace (obsolete line folding).
    case obsoleteLineFolding
    /// A field name that is empty, has a byte outside `tchar`, or is followed by whitespace.
    case invalidFieldName
    /// A field line without a colon.
    case missingColon
    /// A control character in a field value.
    case invalidFieldValue
    /// The head (status line plus fields, interim responses included) exceeds the limit.
    case headTooLarge(limit: Int)
    /// A `Content-Length` that is not a decimal number, or several different ones.
    case invalidContentLength
    /// Both `Content-Length` and `Transfer-Encoding`.
    case contentLengthWithTransferEncoding
    /// A `Transfer-Encoding` other than exactly `chunked`.
    case unsupportedTransferEncoding(String)
    /// A chunk-size line that is not hexadecimal (optionally with extensions), or too large.
    case invalidChunkSize
    /// A chunk's data not followed by CRLF.
    case missingChunkTerminator
    /// A chunk-size or trailer line, or the trailer section, longer than the limit.
    case chunkLineTooLong
    /// The connection ended before the head was complete.
    case truncatedHead
    /// The connection ended before the body was complete.
    case truncatedBody
    /// Bytes arrived after the response was complete (none were asked for).
    case unexpectedData

    public var description: String {
        switch self {
        case .invalidStatusLine: "malformed status line"
        case .unsupportedVersion: "unsupported HTTP version (only HTTP/1.0 and HTTP/1.1)"
        case .unexpectedUpgrade: "unexpected 101 Switching Protocols"
        case .invalidLineEnding: "a line in the response head is not ended by CRLF"
        case .obsoleteLineFolding: "obsolete line folding in a header field"
        case .invalidFieldName: "malformed header field name"
        case .missingColon: "header field line without a colon"
        case .invalidFieldValue: "control character in a header field value"
        case .headTooLarge(let limit): "response head larger than \(limit) bytes"
        case .invalidContentLength: "invalid or conflicting Content-Length"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .unsupportedTransferEncoding(let value): "unsupported Transfer-Encoding \"\(value)\""
        case .invalidChunkSize: "malformed chunk size line"
        case .missingChunkTerminator: "chunk data not followed by CRLF"
        case .chunkLineTooLong: "chunk size or trailer line too long"
        case .truncatedHead: "connection closed before the response head was complete"
        case .truncatedBody: "connection closed before the response body was complete"
        case .unexpectedData: "data after the end of the response"
        }
    }
}
