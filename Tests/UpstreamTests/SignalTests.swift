import Testing
@testable import Upstream

@Suite("Signal")
struct SignalTests {
    @Test("a waiter returns as soon as the signal fires, long before its deadline")
    func firesEarly() async throws {
        let signal = Signal()
        let clock = ContinuousClock()
        let start = clock.now
        async let waited: Void = signal.wait(until: start + .seconds(60))
        try await Task.sleep(for: .milliseconds(20))
        signal.fire()
        await waited
        // Far below the deadline even on a loaded 2-core machine.
        #expect(clock.now - start < .seconds(20))
        #expect(signal.hasFired)
    }

    @Test("a waiter returns at its deadline when the signal never fires")
    func deadline() async {
        let signal = Signal()
        let clock = ContinuousClock()
        let start = clock.now
        await signal.wait(until: start + .milliseconds(50))
        #expect(clock.now - start >= .milliseconds(50))
        #expect(!signal.hasFired)
    }

    @Test("waiting on a fired signal returns at once")
    func alreadyFired() async {
        let signal = Signal()
        signal.fire()
        let clock = ContinuousClock()
        let start = clock.now
        await signal.wait(until: start + .seconds(60))
        #expect(clock.now - start < .seconds(20))
    }
}
