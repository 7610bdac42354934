// The connection's view of the response in progress.
import HTTPWire

/// Where the current response stands (one at a time per connection).
struct ResponseProgress {
    /// Incremented per request; callbacks from an older request's task are ignored.
    var generation = 0
    var task: Task<Void, Never>?
    var requestId = ""
    var isHEAD = false
    var isHTTP10 = false
    /// A streamed body is being written.
    var streaming = false
    /// Chunked coding (false: close-delimited body for HTTP/1.0 clients).
    var chunked = true
    /// The whole response is queued; it counts as finished once output drains below the low watermark.
    var complete = false
    /// Writers suspended by backpressure.
    var writeWaiters: [CheckedContinuation<Void, any Error>] = []
}

/// How the head announces the body length.
enum BodyFraming {
    case contentLength(Int)
    case chunked
    /// HTTP/1.0 stream: no length, the body ends when the connection closes.
    case closeDelimited
    /// 204/304: no body at all.
    case none
}
