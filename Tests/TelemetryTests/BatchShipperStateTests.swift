// The shipper's batching, retry and drop decisions, without sockets or timers.
import Testing
@testable import Telemetry

@Suite struct BatchShipperStateTests {
    typealias State = BatchShipperState<Int>

    static func makeState(capacity: Int = 10, batchSize: Int = 3, maxAttempts: Int = 3) -> State {
        State(policy: .init(capacity: capacity, batchSize: batchSize, flushInterval: 1,
                            maxAttempts: maxAttempts, initialBackoff: 0.5, maxBackoff: 4))
    }

    @Test func theFirstEventArmsTheFlushTimerAndTheTimerSendsAPartialBatch() {
        var state = Self.makeState()
        #expect(state.enqueue(1) == (true, .scheduleFlush(after: 1, immediate: false)))
        #expect(state.enqueue(2) == (true, .none))
        #expect(state.flushTimerFired(immediate: false) == .send([1, 2]))
        #expect(state.pendingCount == 2)
    }

    @Test func aFullBatchIsFlushedImmediatelyAndInBatchSizeChunks() {
        var state = Self.makeState()
        _ = state.enqueue(1)
        _ = state.enqueue(2)
        #expect(state.enqueue(3) == (true, .scheduleFlush(after: 0, immediate: true)))
        #expect(state.enqueue(4) == (true, .none))
        #expect(state.flushTimerFired(immediate: true) == .send([1, 2, 3]))
        #expect(state.flushTimerFired(immediate: false) == .none, "one batch in flight at a time")
        #expect(state.sendFinished(.delivered) == (0, .send([4])))
        #expect(state.sendFinished(.delivered) == (0, .none))
        #expect(state.isIdle)
    }

    @Test func eventsBeyondCapacityAreRefused() {
        var state = Self.makeState(capacity: 2, batchSize: 5)
        #expect(state.enqueue(1).accepted)
        #expect(state.enqueue(2).accepted)
        #expect(!state.enqueue(3).accepted)
        #expect(state.pendingCount == 2)
    }

    @Test func retryableFailuresBackOffExponentiallyThenDropTheBatch() {
        var state = Self.makeState(maxAttempts: 3)
        _ = state.enqueue(1)
        _ = state.enqueue(2)
        #expect(state.flushNow() == .send([1, 2]))
        _ = state.enqueue(3)
        #expect(state.sendFinished(.retryable(retryAfter: nil)) == (0, .scheduleRetry(after: 0.5)))
        #expect(state.retryTimerFired() == .send([1, 2]))
        #expect(state.sendFinished(.retryable(retryAfter: nil)) == (0, .scheduleRetry(after: 1)))
        #expect(state.retryTimerFired() == .send([1, 2]))
        #expect(state.sendFinished(.retryable(retryAfter: nil)) == (2, .send([3])), "third failed attempt drops and moves on")
    }

    @Test func retryAfterIsHonouredButCappedAtMaxBackoff() {
        let state = Self.makeState()
        #expect(state.backoff(afterAttempt: 1, retryAfter: 3) == 3)
        #expect(state.backoff(afterAttempt: 1, retryAfter: 3600) == 4)
        #expect(state.backoff(afterAttempt: 2, retryAfter: 0.1) == 1)
        #expect(state.backoff(afterAttempt: 40, retryAfter: nil) == 4)
    }

    @Test func aRejectedBatchIsDroppedAtOnce() {
        var state = Self.makeState()
        _ = state.enqueue(1)
        #expect(state.flushNow() == .send([1]))
        #expect(state.sendFinished(.rejected) == (1, .none))
        #expect(state.isIdle)
    }

    @Test func aClosedShipperRefusesEventsAndDiscardAllCountsWhatIsLeft() {
        var state = Self.makeState()
        _ = state.enqueue(1)
        _ = state.enqueue(2)
        #expect(state.flushNow() == .send([1, 2]))
        _ = state.enqueue(3)
        state.close()
        #expect(!state.enqueue(4).accepted)
        #expect(state.discardAll() == 3)
        #expect(state.isIdle)
    }
}
