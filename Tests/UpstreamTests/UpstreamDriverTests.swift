import Foundation
import Metering
import MockUpstream
import Testing
@testable import Upstream

/// The behaviour every upstream protocol shares through `UpstreamDriver`, run against the mock for each.
@Suite("Upstream driver, for every protocol, over loopback")
struct UpstreamDriverTests {
    @Test("a new thread: the run streams its deltas and ends completed with the reported usage", arguments: UpstreamProtocolCase.all)
    func completedRun(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            let run = try await upstream(proto.api, mock).startRun(RunRequest(threadId: nil, query: "What is sales methodology?"))
            #expect(run.isNewThread)
            #expect(run.threadId.hasPrefix(proto.threadPrefix))
            let collected = await collect(run)
            let outcome = try #require(collected.outcome)
            #expect(collected.finishedEvents == 1)
            #expect(outcome.status == .completed)
            #expect(outcome.error == nil)
            #expect(outcome.model == proto.model)
            #expect(outcome.runId?.hasPrefix(proto.runPrefix) == true)
            #expect(collected.deltas.count == 12)
            #expect(outcome.answer == collected.deltas.joined())
            let usage = try #require(outcome.reportedUsage)
            #expect(usage.inputTokens == mock.reportedUsage.inputTokens)
            #expect(usage.outputTokens == mock.reportedUsage.outputTokens)
        }
    }

    @Test("continuing a thread skips its creation and prompt tokens grow with history", arguments: UpstreamProtocolCase.all)
    func continuesThread(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            let upstream = upstream(proto.api, mock)
            let first = try await upstream.startRun(RunRequest(threadId: nil, query: "First?"))
            let firstUsage = try #require(await collect(first).outcome?.reportedUsage)
            mock.clearRequests()
            let second = try await upstream.startRun(RunRequest(threadId: first.threadId, query: "Second?"))
            #expect(!second.isNewThread)
            #expect(second.threadId == first.threadId)
            let secondUsage = try #require(await collect(second).outcome?.reportedUsage)
            #expect(secondUsage.inputTokens > firstUsage.inputTokens)
            #expect(mock.requests(to: proto.createThread).isEmpty)
        }
    }

    @Test("a missing ASSISTANT_ID or OPENAI_MODEL fails the run before any call", arguments: UpstreamProtocolCase.all)
    func missingConfiguration(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            let error = await startFailure(upstream(proto.api, mock) {
                $0.assistantId = nil
                $0.model = nil
            })
            #expect(error == .badStatus(500, "\(proto.requiredSetting) is not configured"))
            #expect(mock.requests.isEmpty)
        }
    }

    @Test("a malformed thread id is threadNotFound without a call", arguments: UpstreamProtocolCase.all)
    func malformedThreadId(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            let error = await startFailure(upstream(proto.api, mock), RunRequest(threadId: "../etc/passwd", query: "Q?"))
            #expect(caseName(error) == "threadNotFound")
            #expect(mock.requests.isEmpty)
        }
    }

    @Test("an unknown thread is threadNotFound (404)", arguments: UpstreamProtocolCase.all)
    func unknownThread(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            let error = await startFailure(upstream(proto.api, mock), RunRequest(threadId: proto.threadPrefix + "doesNotExist", query: "Q?"))
            #expect(caseName(error) == "threadNotFound")
            #expect(error?.httpStatus == 404)
        }
    }

    @Test("rate-limit headers of upstream responses are kept with lowercase names", arguments: UpstreamProtocolCase.all)
    func rateLimits(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            let upstream = upstream(proto.api, mock)
            #expect(upstream.rateLimitSnapshot().isEmpty)
            _ = try await collect(upstream.startRun(RunRequest(threadId: nil, query: "Q?")))
            let snapshot = upstream.rateLimitSnapshot()
            #expect(snapshot["x-ratelimit-limit-requests"] == "10000")
            #expect(snapshot["x-ratelimit-remaining-requests"] == String(10_000 - 1 - mock.requestCount))
            #expect(snapshot.count == 6)
        }
    }

    @Test("a connection closed without an answer is connectionFailed", arguments: UpstreamProtocolCase.all)
    func closedConnection(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            mock.setFault(.closeConnection, for: proto.createThread)
            #expect(caseName(await startFailure(upstream(proto.api, mock))) == "connectionFailed")
        }
    }

    @Test("401 and 403 are unauthorized, naming the upstream key",
          arguments: UpstreamProtocolCase.all, [401, 403])
    func unauthorized(_ proto: UpstreamProtocolCase, status: Int) async throws {
        try await withMock { mock in
            mock.setFault(.status(status), for: proto.createThread)
            let error = await startFailure(upstream(proto.api, mock))
            #expect(caseName(error) == "unauthorized")
            #expect(error?.message.contains("OPENAI_API_KEY") == true)
            #expect(error?.httpStatus == 502)
        }
    }

    @Test("429 on the run is rateLimited with the upstream's Retry-After; 5xx a bad status with its message",
          arguments: UpstreamProtocolCase.all, [429, 500, 503])
    func failureStatus(_ proto: UpstreamProtocolCase, status: Int) async throws {
        try await withMock { mock in
            mock.setFault(.status(status, retryAfter: "7"), for: proto.startRun)
            let error = await startFailure(upstream(proto.api, mock))
            let message = MockUpstreamServer.message(forStatus: status)
            #expect(error == (status == 429 ? .rateLimited(retryAfter: "7", message: message) : .badStatus(status, message)))
            #expect(error?.httpStatus == (status == 429 ? 429 : 502))
        }
    }

    @Test("malformed JSON or SSE, a cut stream or an error event after two deltas end the run broken once",
          arguments: UpstreamProtocolCase.all, [
              (MockUpstreamFault.malformedJSON, "malformed"), (.malformedSSE, "malformed"),
              (.cutStream, "streamBroken"), (.errorEvent, "streamBroken"),
          ])
    func brokenStream(_ proto: UpstreamProtocolCase, fault: (MockUpstreamFault, error: String)) async throws {
        try await withMock { mock in
            mock.setFault(fault.0, for: proto.startRun)
            let collected = try await collect(upstream(proto.api, mock).startRun(RunRequest(threadId: nil, query: "Q?")))
            #expect(collected.deltas.count == 2)
            #expect(collected.outcome?.status == .broken)
            #expect(collected.finishedEvents == 1)
            #expect(caseName(collected.outcome?.error) == fault.error)
        }
    }

    @Test("a connection broken right after the run's head ends the run broken with connectionFailed", arguments: UpstreamProtocolCase.all)
    func brokenRunStream(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            mock.setFault(.closeConnection, for: proto.startRun)
            let collected = try await collect(upstream(proto.api, mock).startRun(RunRequest(threadId: nil, query: "Q?")))
            #expect(collected.outcome?.status == .broken)
            #expect(caseName(collected.outcome?.error) == "connectionFailed")
        }
    }

    @Test("failed and incomplete runs end with that status and the partial usage",
          arguments: UpstreamProtocolCase.all, [("failed", RunStatus.failed), ("incomplete", .incomplete)])
    func runEnds(_ proto: UpstreamProtocolCase, ending: (name: String, status: RunStatus)) async throws {
        try await withMock { mock in
            mock.setFault(.runEnds(ending.name), for: proto.startRun)
            let collected = try await collect(upstream(proto.api, mock).startRun(RunRequest(threadId: nil, query: "Q?")))
            let outcome = try #require(collected.outcome)
            #expect(outcome.status == ending.status)
            #expect(collected.deltas.count == 6)
            #expect(caseName(outcome.error) == "runEnded")
            #expect(outcome.reportedUsage?.outputTokens == mock.reportedUsage.outputTokens)
            #expect(outcome.reportedUsage?.cachedInputTokens == (proto.api == .responses ? 0 : nil))
        }
    }

    @Test("a run without any usage reports none", arguments: UpstreamProtocolCase.all)
    func noUsage(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            mock.setFault(.omitAllUsage, for: proto.startRun)
            let outcome = try await collect(upstream(proto.api, mock).startRun(RunRequest(threadId: nil, query: "Q?"))).outcome
            #expect(outcome?.status == .completed)
            #expect(outcome?.reportedUsage == nil)
            #expect(outcome?.answer.isEmpty == false)
        }
    }

    @Test("abandon stops the run (cancel call or closed stream) and returns the partial usage, then the same outcome again",
          arguments: UpstreamProtocolCase.all)
    func abandonStops(_ proto: UpstreamProtocolCase) async throws {
        try await withMock(longStreamSettings()) { mock in
            // Order, not wall-clock bounds: the run is found cancelled with partial usage, which only
            // a stop that reached the upstream before the stream's own 10 s end can produce.
            let abandoned = try await abandonMidStream(upstream(proto.api, mock, configure: patientAbandon))
            let outcome = abandoned.outcome
            #expect(outcome.status == .cancelled)
            let runId = try #require(outcome.runId)
            #expect(mock.status(ofRun: runId) == "cancelled")
            let usage = try #require(outcome.reportedUsage)
            #expect(usage.inputTokens == mock.reportedUsage.inputTokens)
            #expect(usage.outputTokens == mock.reportedUsage.outputTokens)
            #expect(usage.outputTokens < 40)
            #expect(usage.cachedInputTokens == (proto.api == .responses ? 0 : nil))
            #expect(await abandoned.run.abandon() == outcome)
            if let cancelRun = proto.cancelRun {
                let cancels = mock.requests(to: cancelRun)
                #expect(cancels.count == 1)
            } else {
                // The stream was closed (the response stopped), then the response was polled.
                #expect(!mock.requests(to: proto.pollRun).isEmpty)
            }
        }
    }

    @Test("abandon after the run finished returns that outcome without another call", arguments: UpstreamProtocolCase.all)
    func abandonAfterFinish(_ proto: UpstreamProtocolCase) async throws {
        try await withMock { mock in
            let run = try await upstream(proto.api, mock).startRun(RunRequest(threadId: nil, query: "Q?"))
            let outcome = try #require(await collect(run).outcome)
            let calls = mock.requestCount
            #expect(await run.abandon() == outcome)
            #expect(mock.requestCount == calls)
        }
    }
}
