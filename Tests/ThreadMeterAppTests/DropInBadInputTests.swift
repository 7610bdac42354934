// Bad input on the drop-in surfaces (contract §8): refused before any upstream call, service intact.
import Foundation
import MockUpstream
import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite("Drop-in bad input", .serialized)
struct DropInBadInputTests {
    static let auth = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]

    /// The §8 error shape: `{"error":{"message","type","param","code"}}`.
    static func expectOpenAIError(_ response: ClientResponse, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
        let error = try #require(try response.json["error"] as? [String: Any], sourceLocation: sourceLocation)
        #expect(error["message"] is String && error["type"] is String && error["code"] is String, sourceLocation: sourceLocation)
        #expect(error.keys.contains("param"), sourceLocation: sourceLocation)
    }

    @Test("ids with %2F, .., non-ASCII or over 64 characters → 400 before any upstream call", arguments: [
        "/v1/threads/thread%2Fabc", "/v1/threads/..", "/v1/threads/a..b/messages", "/v1/threads/caf%C3%A9/runs/run_1",
        "/v1/threads/thread_1/runs/run%2F..%2Fx", "/v1/responses/" + String(repeating: "r", count: 65), "/v1/conversations/conv%00",
    ])
    func malformedIdsAreRefusedBeforeTheUpstream(_ path: String) async throws {
        try await withDropInApp { app, mock in
            // Raw bytes on the socket: an HTTP library would normalise `..` away before sending.
            let response = try await sendRequest(port: app.port, path: path, headers: [("Authorization", "Bearer \(dropInClientKey)")])
            #expect(response.status == 400, "\(response.text)")
            let error = try #require(response.jsonObject?["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_request_error" && error.keys.contains("param"))
            #expect(error["code"] as? String == "invalid_request")
            #expect(mock.requestCount == 0, "the mock saw \(mock.requests.map(\.target))")
            #expect(try await app.request("GET", "/health").status == 200)
        }
    }

    @Test("unknown /v1 routes → 404; a body over MAX_BODY_BYTES → 413; nothing reaches the upstream")
    func unknownRoutesAndLargeBodies() async throws {
        try await withDropInApp(service: { $0.maxBodyBytes = 1024 }) { app, mock in
            for path in ["/v1/chat/completions", "/v1/threads/thread_1/runs/run_1/steps", "/v1/assistants", "/v1/responses/resp_1/cancel",
                         "/v1/threads/thread_1/runs/run_1", "/v1/threads/thread_1"] {
                let response = try await app.request("POST", path, headers: Self.auth, body: Data("{}".utf8))
                #expect(response.status == 404, "\(path) → \(response.status)")
            }
            // Upstream routes on listed paths with an unlisted method are unlisted routes too.
            for (method, path) in [("GET", "/v1/threads/thread_1/runs"), ("DELETE", "/v1/threads/thread_1"), ("DELETE", "/v1/responses/resp_1"),
                                   ("POST", "/v1/conversations/conv_1"), ("DELETE", "/v1/conversations/conv_1")] {
                let response = try await app.request(method, path, headers: Self.auth)
                #expect(response.status == 404, "\(method) \(path) → \(response.status)")
            }
            #expect(try await app.request("GET", "/v1/models", headers: Self.auth).status == 404)
            let big = Data(("{\"input\":\"" + String(repeating: "x", count: 4096) + "\"}").utf8)
            #expect(try await app.request("POST", "/v1/responses", headers: Self.auth, body: big).status == 413)
            #expect(mock.requestCount == 0)
            #expect(try await app.request("GET", "/health").status == 200)
        }
    }

    @Test("API_KEYS unset → 401 on every drop-in route (no open relay for the operator's key); wrong key → 401")
    func clientKeysAreRequired() async throws {
        try await withDropInApp(service: { $0.apiKeys = [] }) { app, mock in
            for (method, path) in [("POST", "/v1/threads"), ("POST", "/v1/responses"), ("GET", "/v1/responses/resp_1"), ("POST", "/v1/conversations")] {
                let response = try await app.request(method, path, headers: ["Content-Type": "application/json"], body: method == "POST" ? Data("{}".utf8) : nil)
                try Self.expectOpenAIError(response, 401)
                #expect(response.text.contains("API_KEYS"))
            }
            #expect(mock.requestCount == 0)
        }
        try await withDropInApp { app, mock in
            let response = try await app.request("POST", "/v1/threads", headers: ["Authorization": "Bearer nope"], body: Data("{}".utf8))
            try Self.expectOpenAIError(response, 401)
            #expect(mock.requestCount == 0)
        }
    }

    @Test("the client's Authorization never goes upstream; the upstream key never appears in an answer")
    func credentialsStayWhereTheyBelong() async throws {
        try await withDropInApp { app, mock in
            mock.setFault(.status(500), for: .getThread)
            var answers: [ClientResponse] = []
            answers.append(try await app.request("POST", "/v1/threads", headers: Self.auth, body: Data("{}".utf8)))
            let thread = try #require(try answers[0].json["id"] as? String)
            answers.append(try await app.request("GET", "/v1/threads/\(thread)", headers: Self.auth))
            answers.append(try await app.request("GET", "/v1/threads/\(thread)/messages?limit=2&order=asc", headers: Self.auth))
            answers.append(try await app.request("GET", "/v1/threads/thread_unknown/runs/run_1", headers: Self.auth))
            #expect(answers[1].status == 500, "upstream errors pass through")
            #expect(answers[3].status == 404)
            for answer in answers {
                #expect(!answer.text.contains("sk-upstream-secret"))
                #expect(!answer.headers.values.contains { $0.contains("sk-upstream-secret") })
            }
            #expect(mock.requests.count == 4)
            for request in mock.requests {
                #expect(request.headers["authorization"] == "Bearer sk-upstream-secret")
                #expect(!request.headers.contains { $0.value.contains(dropInClientKey) })
            }
            #expect(mock.requests[2].target.hasSuffix("/messages?limit=2&order=asc"), "the query string went along")
        }
    }

    @Test("no OPENAI_API_KEY: the drop-in routes answer 503 in the §8 shape")
    func noUpstreamConfigured() async throws {
        try await withTestApp(configure: { $0.apiKeys = [dropInClientKey] }) { app in
            let response = try await app.request("POST", "/v1/threads", headers: Self.auth, body: Data("{}".utf8))
            try Self.expectOpenAIError(response, 503)
        }
    }

    @Test("the admission seam refuses a run before anything is forwarded, in the §8 shape")
    func admissionRefusalStopsTheRun() async throws {
        try await withDropInApp { app, mock in
            let thread = mock.makeThread()
            // Through the handler itself: the service assembles it with `admitAll`.
            let upstream = DropInUpstream(configuration: UpstreamConfiguration(apiKey: "sk-upstream-secret", baseURL: mock.baseURL), logger: .noop)
            let handler = DropInHandler(upstream: upstream, accounting: DropInAccounting(
                settler: RunSettler(meter: app.service.meter, logger: .noop),
                reporter: RunReporter(metrics: app.service.metrics, usageEvents: nil, tracer: nil, logger: .noop),
                claims: RunClaims(meter: app.service.meter)),
                admission: { request in
                    #expect(request.threadId == thread && request.account == "Acme" && request.surface == .assistants)
                    var error = APIError(.rateLimited, "budget exceeded", status: 429)
                    error.headers.add(name: "Retry-After", value: "60")
                    return .failure(error)
                }, watches: app.service.meter.store, logger: .noop)
            let request = RouteRequest(
                http: .init(method: "POST", target: "/v1/threads/\(thread)/runs", headers: .init([("Content-Type", "application/json")]),
                            body: Array(#"{"assistant_id":"asst_test","stream":true,"metadata":{"account":"Acme"}}"#.utf8)),
                context: .init(remoteAddress: "127.0.0.1:1", requestId: "r1"), parameters: ["id": thread],
                log: AccessLogLine(method: "POST", path: "/v1/threads/x/runs", route: "t", requestId: "r1", logger: .noop, metrics: app.service.metrics))
            let response = await handler.create(request, .assistants, "threads", "{id}", "runs")
            #expect(response.status == 429)
            #expect(response.headers["Retry-After"] == "60")
            #expect(mock.requestCount == 0)
        }
    }
}
