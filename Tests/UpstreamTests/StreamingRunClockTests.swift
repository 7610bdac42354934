import Foundation
import Metering
import Synchronization
import Telemetry
import Testing
import TestSupport
@testable import Upstream

/// A streamed response the test feeds by hand; `cancel` ends it unless `cancelEndsBody` is false.
private struct ScriptedStream {
    let response: UpstreamHTTPResponse
    let continuation: AsyncStream<BodyChunk>.Continuation

    init(cancelEndsBody: Bool = true) {
        let (body, continuation) = AsyncStream.makeStream(of: BodyChunk.self)
        self.continuation = continuation
        response = UpstreamHTTPResponse(status: 200, headers: ["content-type": "text/event-stream"], body: body, cancel: {
            if cancelEndsBody { continuation.finish() }
        })
    }

    func send(_ text: String) { continuation.yield(.data(Array(text.utf8))) }
}

/// Scripted `GET /responses/{id}` answers: the statuses in order, the last one repeated.
private final class ScriptedPolls: Sendable {
    private let statuses: [String]
    private let calls = Atomic<Int>(0)

    init(_ statuses: [String]) { self.statuses = statuses }

    var count: Int { calls.load(ordering: .sequentiallyConsistent) }

    func next(_ runId: String) throws(UpstreamError) -> ResponsesWire.Response {
        let index = calls.add(1, ordering: .sequentiallyConsistent).oldValue
        let status = statuses[min(index, statuses.count - 1)]
        let usage = status == "cancelled" ? #"{"input_tokens": 10, "output_tokens": 3, "total_tokens": 13}"# : "null"
        return try WireJSON.decode(ResponsesWire.Response.self, from: #"{"id": "\#(runId)", "status": "\#(status)", "usage": \#(usage)}"#)
    }
}

@Suite("Streaming run timers on an injected clock")
struct StreamingRunClockTests {
    static let created = "event: response.created\ndata: {\"type\": \"response.created\", \"response\": {\"id\": \"resp_1\", \"status\": \"in_progress\", \"model\": \"m\"}}\n\n"
    static let delta = "event: response.output_text.delta\ndata: {\"type\": \"response.output_text.delta\", \"delta\": \"Hi\"}\n\n"

    private static func run(_ stream: ScriptedStream, polls: ScriptedPolls, clock: TestClock) -> StreamingRun<ResponsesStreamInterpreter> {
        let control = RunControl<ResponsesWire.Response>(
            closeStreamToStop: true,
            requestCancel: { _ throws(UpstreamError) in },
            fetch: { runId throws(UpstreamError) in try polls.next(runId) },
            abandonTimeout: .seconds(10),
            pollInterval: .seconds(1),
            clock: clock)
        return StreamingRun(threadId: "conv_1", isNewThread: false, response: stream.response, control: control, logger: .noop)
    }

    /// Starts the run's stream and waits for its first delta (the run id is then known).
    private static func started(_ stream: ScriptedStream, polls: ScriptedPolls, clock: TestClock) async -> StreamingRun<ResponsesStreamInterpreter> {
        let run = run(stream, polls: polls, clock: clock)
        stream.send(created + delta)
        var iterator = run.events.makeAsyncIterator()
        _ = await iterator.next()
        return run
    }

    /// Yields until the run made `count` polls and sleeps until the next one (the abandon deadline's
    /// timer is gone by then: it stops when the reader does, before the first poll).
    private static func pollSleeping(after count: Int, _ polls: ScriptedPolls, _ clock: TestClock) async {
        var yields = 0
        while !(polls.count == count && clock.sleeperCount == 1) && yields < 1_000_000 {
            yields += 1
            await Task.yield()
        }
    }

    @Test("abandon polls once per poll interval of the clock until the run is terminal")
    func pollsAtTheInterval() async throws {
        let clock = TestClock()
        let polls = ScriptedPolls(["in_progress", "in_progress", "cancelled"])
        let run = await Self.started(ScriptedStream(), polls: polls, clock: clock)
        async let abandoned = run.abandon()
        await Self.pollSleeping(after: 1, polls, clock)
        #expect(polls.count == 1)
        clock.advance(by: .seconds(1))
        await Self.pollSleeping(after: 2, polls, clock)
        #expect(polls.count == 2)
        clock.advance(by: .seconds(1))
        let outcome = await abandoned
        #expect(polls.count == 3)
        #expect(outcome.status == .cancelled)
        #expect(outcome.reportedUsage == TokenUsage(inputTokens: 10, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0))
        #expect(clock.now.offset == .seconds(2))
    }

    @Test("abandon gives up at the abandon deadline of the clock when the run never ends")
    func givesUpAtTheDeadline() async throws {
        let clock = TestClock()
        let polls = ScriptedPolls(["in_progress"])
        let run = await Self.started(ScriptedStream(), polls: polls, clock: clock)
        async let abandoned = run.abandon()
        for poll in 1...10 {
            await Self.pollSleeping(after: poll, polls, clock)
            clock.advance(by: .seconds(1))
        }
        let outcome = await abandoned
        #expect(polls.count == 10)
        #expect(outcome.status == .broken)
        guard case .timeout? = outcome.error else {
            Issue.record("expected timeout, got \(String(describing: outcome.error))")
            return
        }
    }

    @Test("without a run id abandon waits for the stream to end at most the abandon timeout of the clock")
    func stuckStreamWithoutRunId() async throws {
        let clock = TestClock()
        let stream = ScriptedStream(cancelEndsBody: false)
        let run = Self.run(stream, polls: ScriptedPolls(["in_progress"]), clock: clock)
        async let abandoned = run.abandon()
        await clock.waitForSleepers()
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1, "abandon returned before its deadline")
        clock.advance(by: .seconds(1))
        let outcome = await abandoned
        #expect(outcome.status == .cancelled)
        #expect(outcome.runId == nil)
        stream.continuation.finish()
    }
}
