import Foundation
import Metering
import MockUpstream
import Telemetry
import Testing
import TestSupport
@testable import ThreadMeterApp
import Upstream

/// ThreadMeter end to end against our mock of the real upstream wire formats, for both protocols.
@Suite struct MockUpstreamIntegrationTests {
    static let apis: [UpstreamConfiguration.API] = [.assistants, .responses]

    @Test(arguments: apis)
    func streamedRunsAccumulateExactlyWhatTheUpstreamReported(_ api: UpstreamConfiguration.API) async throws {
        try await withMockedApp(api) { app, mock in
            let first = try await app.query(["query": "What is sales methodology?", "accountName": "Acme", "demand_stage": "Interest"]).events
            #expect(first.first?.type == "thread_info")
            #expect(first.first?.data["new_thread"] as? Bool == true)
            #expect(first.filter { $0.type == "content" }.count == 6)
            let done = try #require(first.last)
            #expect(done.type == "stream_complete")
            #expect(done.data["usage_source"] as? String == "upstream")
            let threadId = try #require(done.data["thread_id"] as? String)
            #expect(threadId.hasPrefix(api == .assistants ? "thread_" : "conv_"))
            #expect((done.data["run_id"] as? String)?.hasPrefix(api == .assistants ? "run_" : "resp_") == true)
            #expect(done.data["estimated_cost_usd"] is Double, "the model (or its dated snapshot) is priced")
            let runUsage = try #require(done.data["run_usage"] as? [String: Any])
            if api == .responses {
                #expect(runUsage["cached_input_tokens"] is Int && runUsage["reasoning_tokens"] is Int)
                #expect(done.data["model"] as? String == "gpt-4o-mini-2024-07-18")
            } else {
                #expect(runUsage["cached_input_tokens"] == nil)
                #expect(done.data["model"] as? String == "gpt-4o-mini")
            }
            let second = try await app.query(["query": "And pricing?", "threadId": threadId]).events
            #expect(second.first?.data["new_thread"] as? Bool == false)
            #expect(try #require(second.first).usage("token_usage")! == done.usage("token_usage")!)
            #expect(second.last?.type == "stream_complete")

            let reported = mock.reportedUsage
            let thread = try await app.getJSON("/stats/threads/\(threadId)")
            #expect(thread["input_tokens"] as? Int == reported.inputTokens)
            #expect(thread["output_tokens"] as? Int == reported.outputTokens)
            #expect(thread["runs"] as? Int == 2)
            #expect(thread["account"] as? String == "Acme")
            let stats = try await app.statistics()
            #expect((stats["upstream_rate_limits"] as? [String: String])?["x-ratelimit-limit-requests"] != nil)
            let health = try await app.getJSON("/health")
            #expect(health["upstream"] as? String == "openai")
            #expect(health["assistant_id"] as? Bool == (api == .assistants))
            #expect(health["storage_backend"] as? String == "sqlite")
            // The context reached the upstream run.
            let runRequest = try #require(mock.requests(to: api == .assistants ? .createRun : .createResponse).first)
            #expect(runRequest.metadata?.values.contains("Acme") == true)
            #expect(runRequest.metadata?.values.contains("Interest") == true)
            if api == .assistants {
                #expect(runRequest.headers["OpenAI-Beta"] == "assistants=v2")
                #expect(runRequest.string("additional_instructions")?.contains("Interest") == true)
            } else {
                #expect(runRequest.string("instructions")?.contains("Acme") == true)
            }
            #expect(runRequest.headers["Authorization"] == "Bearer sk-test")
        }
    }

    @Test(arguments: apis)
    func unknownThreadIs404AndRateLimitIs429WithRetryAfter(_ api: UpstreamConfiguration.API) async throws {
        try await withMockedApp(api) { app, mock in
            let unknown = try await app.query(["query": "q", "threadId": api == .assistants ? "thread_doesnotexist" : "conv_doesnotexist"])
            #expect(unknown.status == 404)
            mock.setFault(.status(429, retryAfter: "12"), for: api == .assistants ? .createThread : .createConversation)
            let limited = try await app.query(["query": "q"])
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "12")
            mock.setFault(.status(500), for: api == .assistants ? .createThread : .createConversation)
            #expect(try await app.query(["query": "q"]).status == 502)
            mock.setFault(.status(401), for: api == .assistants ? .createThread : .createConversation)
            let unauthorized = try await app.query(["query": "q"])
            #expect(unauthorized.status == 502)
            #expect(unauthorized.text.contains("OPENAI_API_KEY"))
            mock.clearFaults()
            #expect(try await app.query(["query": "q"]).status == 200, "healthy again")
            #expect(try await app.statistics()["total_threads"] as? Int == 1)
        }
    }

    @Test(arguments: apis)
    func failedRunEndsWithAnErrorEventAndItsPartialUsageIsKept(_ api: UpstreamConfiguration.API) async throws {
        try await withMockedApp(api) { app, mock in
            mock.setFault(.runEnds("failed"), for: api == .assistants ? .createRun : .createResponse)
            let events = try await app.query(["query": "q"]).events
            let error = try #require(events.last)
            #expect(error.type == "error")
            #expect((error.data["error"] as? [String: Any])?["code"] as? String == "upstream_error")
            let reported = mock.reportedUsage
            #expect(error.usage("token_usage")?.0 == reported.inputTokens)
            #expect(error.usage("token_usage")?.1 == reported.outputTokens)
        }
    }

    @Test(arguments: apis)
    func brokenStreamsEndWithAnErrorEventAndTheServiceStaysHealthy(_ api: UpstreamConfiguration.API) async throws {
        try await withMockedApp(api) { app, mock in
            let endpoint: MockEndpoint = api == .assistants ? .createRun : .createResponse
            for fault in [MockUpstreamFault.cutStream, .malformedJSON, .errorEvent, .stallStream(.seconds(3_600))] {
                mock.setFault(fault, for: endpoint)
                let events = try await app.query(["query": "q"]).events
                #expect(events.first?.type == "thread_info", "\(fault)")
                #expect(events.last?.type == "error", "\(fault)")
                if case .stallStream = fault {
                    #expect((events.last?.data["error"] as? [String: Any])?["code"] as? String == "upstream_timeout")
                }
            }
            mock.clearFaults()
            #expect(try await app.query(["query": "q"]).events.last?.type == "stream_complete")
            #expect(try await app.request("GET", "/health").status == 200)
        }
    }

    @Test(arguments: apis)
    func runWithoutAnyUsageIsEstimatedAndSaysSo(_ api: UpstreamConfiguration.API) async throws {
        try await withMockedApp(api) { app, mock in
            mock.setFault(.omitAllUsage, for: api == .assistants ? .createRun : .createResponse)
            let done = try #require(try await app.query(["query": "How much?"]).events.last)
            #expect(done.type == "stream_complete")
            #expect(done.data["usage_source"] as? String == "estimated")
            #expect((done.usage("run_usage")?.2 ?? 0) > 0)
        }
    }

    @Test(arguments: apis)
    func clientDisconnectStopsTheRunUpstreamAndRecordsItsUsage(_ api: UpstreamConfiguration.API) async throws {
        try await withMockedApp(api) { app, mock in
            // The mock stalls for an hour: only the service stopping the run (a cancel call, or closing
            // the stream) ends it, and the usage recorded is what the upstream reports for the stop.
            mock.setFault(.stallStream(.seconds(3_600)), for: api == .assistants ? .createRun : .createResponse)
            let stream = try await openEventStream(port: app.port, path: "/v1/query",
                                                   headers: [("Content-Type", "application/json")], body: #"{"query":"q"}"#)
            let info = try #require(try await stream.nextEvent())
            let threadId = try #require((try JSONSerialization.jsonObject(with: Data(info.data.utf8)) as? [String: Any])?["thread_id"] as? String)
            _ = try await stream.nextEvent()
            stream.close()
            #expect(await eventually {
                !mock.requests(to: api == .assistants ? .cancelRun : .getResponse).isEmpty
            }, "the run was stopped upstream")
            var thread: [String: Any] = [:]
            #expect(try await eventually {
                let response = try await app.request("GET", "/stats/threads/\(threadId)")
                thread = response.status == 200 ? try response.json : [:]
                return thread["runs"] as? Int == 1
            }, "the abandoned run's usage is recorded: \(thread)")
            #expect(thread["input_tokens"] as? Int == mock.reportedUsage.inputTokens)
        }
    }
}
