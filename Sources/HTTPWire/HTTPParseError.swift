// Why a request was refused while parsing, with the status and error code the server answers with.

/// A request the parser refuses. Every case is fatal for the connection: the server answers with
/// `status` and a JSON error body, then closes (no request smuggling through ambiguous framing).
public enum HTTPParseError: Error, Sendable, Equatable {
    // Request line (RFC 9112 §3).
    /// Not `method SP request-target SP HTTP-version`.
    case invalidRequestLine
    /// A method byte outside `tchar` (RFC 9110 §5.6.2).
    case invalidMethod
    /// A request-target byte outside visible ASCII.
    case invalidTarget
    /// Not `HTTP/DIGIT.DIGIT`.
    case invalidVersion
    /// A well-formed version other than HTTP/1.x (→ 505).
    case unsupportedVersion

    // Line framing and field syntax (RFC 9112 §2.2, §5).
    /// A CR not followed by LF (§2.2).
    case bareCarriageReturn
    /// A LF not preceded by CR: refused rather than tolerated (§2.2 allows either; strict is safer).
    case bareLineFeed
    /// A field line starting with SP/HTAB: obsolete line folding, or whitespace after the start-line (§5.2, §2.2).
    case obsoleteLineFolding
    /// Whitespace between a field name and the colon (§5.1).
    case whitespaceBeforeColon
    /// A field name that is empty or has a byte outside `tchar`.
    case invalidFieldName
    /// A field line without a colon.
    case missingColon
    /// A control character in a field value.
    case invalidFieldValue
    /// An HTTP/1.1 request without exactly one `Host` field (§3.2).
    case invalidHost

    // Message body length (RFC 9112 §6).
    /// Both `Content-Length` and `Transfer-Encoding` (§6.1: refused instead of guessing).
    case contentLengthWithTransferEncoding
    /// More than one `Content-Length` value, equal or not (§6.3).
    case multipleContentLength
    /// A `Content-Length` that is not `1*DIGIT` (signs, spaces, lists, empty) (§6.3).
    case invalidContentLength
    /// `Transfer-Encoding` whose final coding is not `chunked` (§6.3).
    case transferEncodingNotChunkedLast
    /// `chunked` applied more than once (§6.1).
    case chunkedMoreThanOnce
    /// A transfer coding before `chunked` that the server does not implement (§6.1 → 501).
    case unsupportedTransferCoding
    /// `Transfer-Encoding` in an HTTP/1.0 request: faulty framing (§6.1).
    case transferEncodingInHTTP10

    // Chunked coding (RFC 9112 §7.1).
    /// A chunk-size line that is not hex digits optionally followed by extensions.
    case invalidChunkSize
    /// A chunk size that does not fit in an `Int`.
    case chunkSizeOverflow
    /// A chunk-size line (with extensions) longer than the parser accepts.
    case chunkLineTooLong
    /// Chunk data not followed by CRLF.
    case invalidChunkTerminator

    // Limits.
    /// Header section (or trailer section) larger than the limit (→ 431).
    case headerTooLarge
    /// Body larger than the limit, by `Content-Length` or by counting chunks (→ 413).
    case payloadTooLarge

    /// The status the server answers with.
    public var status: Int {
        switch self {
        case .headerTooLarge: 431
        case .payloadTooLarge: 413
        case .unsupportedTransferCoding: 501
        case .unsupportedVersion: 505
        default: 400
        }
    }

    /// The machine-readable error code of the JSON error body.
    public var code: String {
        switch self {
        case .headerTooLarge: "header_too_large"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedTransferCoding: "not_implemented"
        case .unsupportedVersion: "http_version_not_supported"
        default: "bad_request"
        }
    }

    /// A one-line human-readable explanation.
    public var message: String {
        switch self {
        case .invalidRequestLine: "malformed request line"
        case .invalidMethod: "invalid method token"
        case .invalidTarget: "invalid request target"
        case .invalidVersion: "malformed HTTP version"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .bareCarriageReturn: "CR not followed by LF"
        case .bareLineFeed: "LF without CR; lines must end with CRLF"
        case .obsoleteLineFolding: "obsolete line folding or leading whitespace in a field line"
        case .whitespaceBeforeColon: "whitespace between field name and colon"
        case .invalidFieldName: "invalid field name"
        case .missingColon: "field line without colon"
        case .invalidFieldValue: "control character in field value"
        case .invalidHost: "HTTP/1.1 request needs exactly one Host field"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding present"
        case .multipleContentLength: "more than one Content-Length"
        case .invalidContentLength: "Content-Length is not a non-negative decimal integer"
        case .transferEncodingNotChunkedLast: "Transfer-Encoding must end with chunked"
        case .chunkedMoreThanOnce: "chunked applied more than once"
        case .unsupportedTransferCoding: "unsupported transfer coding"
        case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 request"
        case .invalidChunkSize: "malformed chunk size"
        case .chunkSizeOverflow: "chunk size too large"
        case .chunkLineTooLong: "chunk-size line too long"
        case .invalidChunkTerminator: "chunk data not followed by CRLF"
        case .headerTooLarge: "header section too large"
        case .payloadTooLarge: "request body too large"
        }
    }
}
