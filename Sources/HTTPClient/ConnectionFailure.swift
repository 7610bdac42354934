// A failure before the response head, and whether sending the request again is safe.

/// Why a request got no response head, and whether it may be sent again on a fresh connection:
/// only when it went to a reused keep-alive connection that turned out dead, and either none of
/// its bytes were written or the method is idempotent (a POST the server may have seen is never repeated).
struct ConnectionFailure: Error, Sendable {
    let error: HTTPClientError
    let retryable: Bool
}
