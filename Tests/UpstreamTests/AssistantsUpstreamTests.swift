import Foundation
import Metering
import MockUpstream
import Testing
@testable import Upstream

@Suite("Assistants upstream over loopback")
struct AssistantsUpstreamTests {
    @Test("a new thread: thread, message and streamed run are requested with the key and the beta header")
    func completedRun() async throws {
        try await withMock { mock in
            let upstream = upstream(.assistants, mock)
            let run = try await upstream.startRun(RunRequest(threadId: nil, query: "What is sales methodology?"))
            #expect(run.isNewThread)
            #expect(run.threadId.hasPrefix("thread_"))
            let collected = await collect(run)
            let outcome = try #require(collected.outcome)
            #expect(collected.finishedEvents == 1)
            #expect(outcome.status == .completed)
            #expect(outcome.error == nil)
            #expect(outcome.model == "gpt-4o-mini")
            #expect(outcome.runId?.hasPrefix("run_") == true)
            #expect(collected.deltas.count == 12)
            #expect(outcome.answer == collected.deltas.joined())
            let usage = try #require(outcome.reportedUsage)
            #expect(usage == TokenUsage(inputTokens: mock.reportedUsage.inputTokens, outputTokens: mock.reportedUsage.outputTokens))
            #expect(usage.cachedInputTokens == nil)

            let requests = mock.requests
            #expect(requests.map(\.endpoint) == [.createThread, .addMessage, .createRun])
            for request in requests {
                #expect(request.headers["authorization"] == "Bearer sk-test")
                #expect(request.headers["openai-beta"] == "assistants=v2")
                #expect(request.headers["content-type"] == "application/json")
            }
            #expect(requests[1].json?["role"] as? String == "user")
            #expect(requests[1].string("content") == "What is sales methodology?")
            #expect(requests[2].string("assistant_id") == "asst_test")
            #expect(requests[2].json?["stream"] as? Bool == true)
            #expect(requests[2].json?["additional_instructions"] == nil)
        }
    }

    @Test("demand stage, account and additional instructions reach the run as additional_instructions and metadata")
    func contextPassing() async throws {
        try await withMock { mock in
            let run = try await upstream(.assistants, mock).startRun(RunRequest(
                threadId: nil, query: "Q?", demandStage: "Interest", accountName: "Acme", additionalInstructions: "Answer in one line."))
            _ = await collect(run)
            let runRequest = try #require(mock.requests(to: .createRun).first)
            #expect(runRequest.string("additional_instructions") == "demand_stage: Interest\naccountName: Acme\nAnswer in one line.")
            #expect(runRequest.metadata == ["demand_stage": "Interest", "account": "Acme"])
            #expect(mock.requests(to: .createThread).first?.metadata == ["demand_stage": "Interest", "account": "Acme"])
        }
    }

    @Test("deltas are relayed as they arrive: the first one before the mock has sent the last")
    func incrementalDeltas() async throws {
        var settings = MockUpstreamSettings()
        // The mock needs 8 × 300 ms to send them all: the first delta is relayed 2 s before the last
        // one goes out, a margin a loaded machine keeps (a relay that buffered would see none of it).
        settings.deltaCount = 8
        settings.deltaDelay = .milliseconds(300)
        try await withMock(settings) { mock in
            let run = try await upstream(.assistants, mock).startRun(RunRequest(threadId: nil, query: "Q?"))
            var iterator = run.events.makeAsyncIterator()
            let first = await iterator.next()
            guard case .delta = first else {
                Issue.record("expected a delta first, got \(String(describing: first))")
                return
            }
            #expect(mock.reportedUsage.runs == 0, "the mock had already finished the run when the first delta arrived")
            while let event = await iterator.next() {
                if case .finished(let outcome) = event { #expect(outcome.status == .completed) }
            }
            #expect(mock.reportedUsage.runs == 1)
        }
    }

    @Test("without run usage the completed steps' usage is used; without any usage none is reported")
    func usageFallbacks() async throws {
        try await withMock { mock in
            let upstream = upstream(.assistants, mock)
            mock.setFault(.omitRunUsage, for: .createRun)
            let stepOnly = try await collect(upstream.startRun(RunRequest(threadId: nil, query: "Q?"))).outcome
            #expect(stepOnly?.status == .completed)
            #expect(stepOnly?.reportedUsage == TokenUsage(inputTokens: mock.reportedUsage.inputTokens, outputTokens: mock.reportedUsage.outputTokens))
            mock.setFault(.omitAllUsage, for: .createRun)
            let none = try await collect(upstream.startRun(RunRequest(threadId: nil, query: "Q?"))).outcome
            #expect(none?.status == .completed)
            #expect(none?.reportedUsage == nil)
            #expect(none?.answer.isEmpty == false)
        }
    }

    // MARK: Failures before the run stream starts

    @Test("connection refused is connectionFailed (502)")
    func refused() async throws {
        let url = try #require(URL(string: "http://127.0.0.1:\(try closedPort())/v1"))
        let upstream = makeUpstream(testConfiguration(.assistants, baseURL: url), logger: .noop)
        let error = await startFailure(upstream)
        guard case .connectionFailed(let message)? = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(message.contains("refused"))
        #expect(error?.httpStatus == 502)
    }

    // No wall-clock bounds in the timeout tests: what the client waits on never comes (a connect
    // the kernel keeps pending, a head or stream delayed an hour), so a `.timeout` proves the timer
    // fired; the time limit only stops a broken build from hanging the suite.
    @Test("a connect that hangs (the listener's accept queue is full) is a timeout", .timeLimit(.minutes(1)))
    func connectTimeout() async throws {
        let (port, descriptors) = try saturatedListener()
        defer { for fd in descriptors { close(fd) } }
        var configuration = testConfiguration(.assistants, baseURL: try #require(URL(string: "http://127.0.0.1:\(port)/v1")))
        configuration.connectTimeout = .milliseconds(300)
        configuration.firstByteTimeout = .milliseconds(200)
        let error = await startFailure(makeUpstream(configuration, logger: .noop))
        #expect(caseName(error) == "timeout", "expected timeout, got \(String(describing: error))")
    }

    @Test("no response head within connect + first-byte timeout is a timeout (504)", .timeLimit(.minutes(1)))
    func headTimeout() async throws {
        try await withMock { mock in
            mock.setFault(.delayHeaders(.seconds(3_600)), for: .createRun)
            let error = await startFailure(upstream(.assistants, mock) {
                $0.connectTimeout = .milliseconds(200)
                $0.firstByteTimeout = .milliseconds(300)
            })
            guard case .timeout? = error else {
                Issue.record("expected timeout, got \(String(describing: error))")
                return
            }
            #expect(error?.httpStatus == 504)
        }
    }

    @Test("an upstream going silent mid-stream ends the run with a timeout after the idle timeout", .timeLimit(.minutes(1)))
    func idleTimeout() async throws {
        try await withMock { mock in
            mock.setFault(.stallStream(.seconds(3_600)), for: .createRun)
            // 1.5 s: long enough that a loaded machine still delivers the two deltas before it fires.
            let collected = try await collect(upstream(.assistants, mock) { $0.idleTimeout = .milliseconds(1500) }
                .startRun(RunRequest(threadId: nil, query: "Q?")))
            #expect(collected.deltas.count == 2)
            guard case .timeout? = collected.outcome?.error else {
                Issue.record("expected timeout, got \(String(describing: collected.outcome?.error))")
                return
            }
            #expect(collected.outcome?.status == .broken)
        }
    }

    @Test("a wrong key is rejected by the upstream as unauthorized")
    func wrongKey() async throws {
        var settings = MockUpstreamSettings()
        settings.apiKey = "sk-other"
        try await withMock(settings) { mock in
            guard case .unauthorized? = await startFailure(upstream(.assistants, mock)) else {
                Issue.record("expected unauthorized")
                return
            }
        }
    }

    // MARK: Failures after the stream started

    @Test("a stream cut without a terminal event is streamBroken")
    func cutStream() async throws {
        try await withMock { mock in
            mock.setFault(.cutStream, for: .createRun)
            let collected = try await collect(upstream(.assistants, mock).startRun(RunRequest(threadId: nil, query: "Q?")))
            #expect(collected.outcome?.status == .broken)
            #expect(collected.outcome?.error == .streamBroken("the stream ended without a terminal run event"))
            #expect(collected.finishedEvents == 1)
        }
    }

    @Test("an error event ends the run broken")
    func errorEvent() async throws {
        try await withMock { mock in
            mock.setFault(.errorEvent, for: .createRun)
            let outcome = try await collect(upstream(.assistants, mock).startRun(RunRequest(threadId: nil, query: "Q?"))).outcome
            #expect(outcome?.status == .broken)
            #expect(outcome?.error?.message.contains("The server had an error") == true)
        }
    }

    @Test("failed, incomplete, cancelled and expired runs end with that status and the partial usage",
          arguments: [("failed", RunStatus.failed), ("incomplete", .incomplete), ("cancelled", .cancelled), ("expired", .expired)])
    func runEnds(name: String, status: RunStatus) async throws {
        try await withMock { mock in
            mock.setFault(.runEnds(name), for: .createRun)
            let collected = try await collect(upstream(.assistants, mock).startRun(RunRequest(threadId: nil, query: "Q?")))
            let outcome = try #require(collected.outcome)
            #expect(outcome.status == status)
            #expect(collected.deltas.count == 6)
            guard case .runEnded(status, _)? = outcome.error else {
                Issue.record("expected runEnded(\(status)), got \(String(describing: outcome.error))")
                return
            }
            let usage = try #require(outcome.reportedUsage)
            #expect(usage == TokenUsage(inputTokens: mock.reportedUsage.inputTokens, outputTokens: mock.reportedUsage.outputTokens))
            #expect(usage.outputTokens == outcome.answer.split(whereSeparator: \.isWhitespace).count)
        }
    }

    // MARK: Abandon

    @Test("when the stream ends after the cancel without a terminal event, abandon polls the run for its usage")
    func abandonPolls() async throws {
        try await withMock(longStreamSettings()) { mock in
            mock.setFault(.cutStreamOnCancel, for: .cancelRun)
            let abandoned = try await abandonMidStream(upstream(.assistants, mock, configure: patientAbandon))
            #expect(mock.requests(to: .cancelRun).count == 1)
            #expect(abandoned.outcome.status == .cancelled)
            #expect(mock.requests(to: .getRun).count >= 1)
            #expect(abandoned.outcome.reportedUsage == TokenUsage(inputTokens: mock.reportedUsage.inputTokens, outputTokens: mock.reportedUsage.outputTokens))
            #expect(abandoned.outcome.reportedUsage != nil)
        }
    }
}
