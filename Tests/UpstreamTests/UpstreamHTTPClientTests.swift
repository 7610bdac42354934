// The upstream client over the HTTP client: request targets under the base path, rate-limit capture,
// failures as UpstreamError.
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Upstream

@Suite struct UpstreamHTTPClientTests {
    static func request(_ method: String, _ path: String, body: String? = nil) -> UpstreamHTTPClient.Request {
        .init(method: method, path: path, headers: [("Authorization", "Bearer sk-test")], body: body.map { Data($0.utf8) })
    }

    @Test func requestsGoBelowTheBasePathAndRateLimitHeadersAreKept() async throws {
        let requests = RequestLog()
        let server = try ScriptedHTTPServer.answering(httpResponse("{\"ok\":true}", headers: "x-ratelimit-remaining-requests: 7\r\n"), log: requests)
        defer { server.stop() }
        let client = UpstreamHTTPClient(configuration: testConfiguration(.assistants, baseURL: server.baseURL), logger: .noop)
        let (status, headers, body) = try await client.exchange(Self.request("POST", "threads/a b/runs", body: "{}"))
        #expect(status == 200)
        #expect(headers["content-type"] == "application/json")
        #expect(String(decoding: body, as: UTF8.self) == "{\"ok\":true}")
        #expect(client.rateLimits.snapshot()["x-ratelimit-remaining-requests"] == "7")
        let first = try #require(requests.all.first)
        #expect(first.hasPrefix("POST /v1/threads/a%20b/runs HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"))
    }

    /// Path segments are percent-encoded byte for byte as Foundation's `addingPercentEncoding` with
    /// `urlPathAllowed` minus `/;?#` does (the reference), a segment at a time.
    @Test(arguments: ["thread_abc123", "a b", "100%", "ünïcode", "x;y?z#w", "a+b=c&d@e:f!$'()*,~_.-", "\u{7F}\u{1}\t\"<>\\^`{|}[]"])
    func pathSegmentsArePercentEncodedAsFoundationDoes(_ segment: String) async throws {
        let requests = RequestLog()
        let server = try ScriptedHTTPServer.answering(httpResponse("{}"), log: requests)
        defer { server.stop() }
        let client = UpstreamHTTPClient(configuration: testConfiguration(.assistants, baseURL: server.baseURL), logger: .noop)
        _ = try await client.exchange(Self.request("GET", "threads/\(segment)/runs"))
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        let expected = try #require(segment.addingPercentEncoding(withAllowedCharacters: allowed))
        let first = try #require(requests.all.first)
        #expect(first.hasPrefix("GET /v1/threads/\(expected)/runs HTTP/1.1\r\n"), "\(first.prefix(80))")
    }

    @Test func connectionRefusedIsAConnectionFailure() async throws {
        let server = try ScriptedHTTPServer { _ in }
        server.stop()
        let client = UpstreamHTTPClient(configuration: testConfiguration(.assistants, baseURL: server.baseURL), logger: .noop)
        do {
            _ = try await client.send(Self.request("GET", "responses/r"))
            Issue.record("expected a failure")
        } catch {
            #expect(error == .connectionFailed("could not connect to 127.0.0.1:\(server.port) (connection refused)"))
            #expect(error.httpStatus == 502)
        }
    }

    /// The byte table leaves exactly the bytes Foundation's percent-encoding leaves (every other
    /// byte, non-ASCII included, is encoded).
    @Test func bytesLeftUnencodedAreExactlyTheOnesFoundationLeaves() {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        for byte in UInt8(0)...UInt8(127) {
            let text = String(UnicodeScalar(byte))
            let unchanged = text.addingPercentEncoding(withAllowedCharacters: allowed) == text
            #expect(UpstreamHTTPClient.pathAllowed[Int(byte)] == unchanged, "byte \(byte)")
        }
        #expect((128...255).allSatisfy { !UpstreamHTTPClient.pathAllowed[$0] })
        let client = UpstreamHTTPClient(configuration: testConfiguration(.assistants, baseURL: URL(string: "http://127.0.0.1:1/v1/")!), logger: .noop)
        #expect(client.target("threads/thread_abc-1/runs") == "/v1/threads/thread_abc-1/runs")
        #expect(client.target("threads/a b/tréad/%2F;x?y#z") == "/v1/threads/a%20b/tr%C3%A9ad/%252F%3Bx%3Fy%23z")
        #expect(client.target("//responses//") == "/v1/responses")
    }
}
