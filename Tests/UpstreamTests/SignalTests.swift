import Testing
import TestSupport
@testable import Upstream

/// `Signal` on a `TestClock`: the deadline passes only when the test advances the clock, so "before
/// the deadline" is a fact of the test, not a wall-clock measurement.
@Suite("Signal")
struct SignalTests {
    @Test("a waiter returns as soon as the signal fires, long before its deadline")
    func firesEarly() async throws {
        let signal = Signal()
        let clock = TestClock()
        async let waited: Void = signal.wait(until: clock.now.advanced(by: .seconds(60)), clock: clock)
        await clock.waitForSleepers()
        signal.fire()
        await waited
        #expect(signal.hasFired)
        #expect(clock.now.offset == .zero, "returned with the deadline still 60 s away")
    }

    @Test("a waiter returns at its deadline when the signal never fires")
    func deadline() async {
        let signal = Signal()
        let clock = TestClock()
        async let waited: Void = signal.wait(until: clock.now.advanced(by: .seconds(60)), clock: clock)
        await clock.waitForSleepers()
        clock.advance(by: .seconds(59))
        #expect(clock.sleeperCount == 1, "still waiting a second before the deadline")
        clock.advance(by: .seconds(1))
        await waited
        #expect(!signal.hasFired)
    }

    @Test("waiting on a fired signal returns at once")
    func alreadyFired() async {
        let signal = Signal()
        signal.fire()
        let clock = TestClock()
        await signal.wait(until: clock.now.advanced(by: .seconds(60)), clock: clock)
        #expect(clock.sleeperCount == 0, "never slept")
    }
}
