// The seam between the upstream client and the bytes on the wire.

/// Carries one request to the upstream and returns once the response head arrived; the body then
/// streams in. Implementations enforce the configured timeouts (head, idle between body chunks),
/// close the connection when the calling task or the body stream is cancelled, and map every
/// failure to an `UpstreamError`.
protocol UpstreamTransport: Sendable {
    func send(_ request: UpstreamHTTPClient.Request) async throws(UpstreamError) -> UpstreamHTTPResponse
}
