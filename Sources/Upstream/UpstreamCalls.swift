// The calls a dialect makes: JSON requests and event streams with the upstream's headers on each.

/// One upstream's HTTP calls as a dialect needs them: every request carries `headers` (the key and
/// any protocol headers); a non-2xx answer is mapped for `call` (see `UpstreamStatusMapping`).
struct UpstreamCalls: Sendable {
    let configuration: UpstreamConfiguration
    let client: UpstreamHTTPClient
    let headers: [(String, String)]

    /// `POST path` with a JSON body; decodes a 2xx answer as `Reply`.
    func post<Reply: WireReadable>(
        _ path: String, _ body: some WireWritable, call: UpstreamStatusMapping.Call, as reply: Reply.Type = IgnoredReply.self
    ) async throws(UpstreamError) -> Reply {
        try await client.json(try UpstreamHTTPClient.request("POST", path, headers: headers + Self.runHeaders, body: body), call: call, as: reply)
    }

    /// `GET path`; decodes a 2xx answer as `Reply`.
    func get<Reply: WireReadable>(_ path: String, call: UpstreamStatusMapping.Call, as reply: Reply.Type) async throws(UpstreamError) -> Reply {
        try await client.json(try UpstreamHTTPClient.request("GET", path, headers: headers + Self.runHeaders, body: EmptyBody?.none), call: call, as: reply)
    }

    /// `POST path` with a JSON body, answered with a `text/event-stream` that streams in afterwards.
    func openEventStream(_ path: String, _ body: some WireWritable, call: UpstreamStatusMapping.Call) async throws(UpstreamError) -> UpstreamHTTPResponse {
        try await client.openEventStream(try UpstreamHTTPClient.request("POST", path, headers: headers + Self.runHeaders, body: body), call: call)
    }

    /// Extra fields for every call of the run being started (its `traceparent`), set by the driver.
    @TaskLocal static var runHeaders: [(String, String)] = []
}
