// Helpers for HTTP client tests: a client with short timeouts, requests, polling.
import Foundation
import HTTPClient
import HTTPWire
import Testing
import TestSupport

/// A client without proxies (whatever the environment says) and with timeouts short enough for tests.
func makeClient(_ configure: (inout HTTPClientConfiguration) -> Void = { _ in }) -> HTTPClient {
    var configuration = HTTPClientConfiguration()
    configuration.connectTimeout = .seconds(5)
    configuration.firstByteTimeout = .seconds(5)
    configuration.idleTimeout = .seconds(5)
    configuration.proxy = .direct
    configure(&configuration)
    return HTTPClient(configuration: configuration)
}

/// A request to `server` (or any `base` URL) with an authorization field.
func request(_ method: String, _ path: String, base: URL, body: String? = nil) throws -> HTTPClientRequest {
    try HTTPClientRequest(method: method, url: base.appendingPathComponent(path),
                          headers: ["Authorization": "Bearer sk-test"], body: body.map { Array($0.utf8) })
}

/// Sends `request` and reads the whole body.
func exchange(_ client: HTTPClient, _ request: HTTPClientRequest) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
    let response = try await client.execute(request)
    let body = try await response.body.collect(upTo: 1 << 20)
    return (response.status, response.headers, String(decoding: body, as: UTF8.self))
}

/// The error `client` fails `request` with; records an issue (and returns nil) when it succeeds.
func failure(_ client: HTTPClient, _ request: HTTPClientRequest) async -> HTTPClientError? {
    do {
        let response = try await client.execute(request)
        Issue.record("expected a failure, got \(response.status)")
        return nil
    } catch {
        return error
    }
}
