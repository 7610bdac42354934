import Synchronization
import TestSupport
import Testing
import Upstream

/// A run's event channel keeps AsyncStream's contract for its one consumer, plus nudges.
@Suite struct RunEventsTests {
    @Test func queuedEventsComeOutInOrderThenNilAfterFinish() async {
        let events = RunEvents()
        events.yield(.delta("a"))
        events.yield(.delta("b"))
        events.finish()
        events.yield(.delta("c"))  // after finish: ignored
        #expect(await events.next() == .delta("a"))
        #expect(await events.next() == .delta("b"))
        #expect(await events.next() == nil)
        #expect(await events.next() == nil)
    }

    @Test func forAwaitReadsEveryEvent() async {
        let events = RunEvents.finished(with: [.delta("x"), .delta("y")])
        var seen: [RunEvent] = []
        for await event in events { seen.append(event) }
        #expect(seen == [.delta("x"), .delta("y")])
    }

    @Test func aWaitingConsumerGetsTheNextEventAndThenTheEnd() async {
        let events = RunEvents()
        let first = Task { await events.next() }
        #expect(await eventually { events.hasWaitingConsumer })
        events.yield(.delta("a"))
        #expect(await first.value == .delta("a"))
        let waiting = Task { await events.next() }
        #expect(await eventually { events.hasWaitingConsumer })
        events.finish()
        #expect(await waiting.value == nil)
    }

    @Test func aCancelledConsumerGetsNilAtOnceQueuedEventsAreDroppedAndTheRunIsTold() async {
        let cancelled = Atomic<Int>(0)
        let events = RunEvents()
        events.onConsumerCancelled { cancelled.add(1, ordering: .relaxed) }
        let waiting = Task { await events.next() }
        #expect(await eventually { events.hasWaitingConsumer })
        waiting.cancel()
        #expect(await waiting.value == nil)
        events.yield(.delta("late"))
        #expect(await events.next() == nil)
        #expect(cancelled.load(ordering: .relaxed) == 1)

        let alreadyCancelled = RunEvents()
        alreadyCancelled.onConsumerCancelled { cancelled.add(1, ordering: .relaxed) }
        let consumer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await alreadyCancelled.next()
        }
        #expect(await consumer.value == nil)
        #expect(cancelled.load(ordering: .relaxed) == 2)
    }

    @Test func cancellingAfterTheEndDoesNotStopTheRun() async {
        let cancelled = Atomic<Int>(0)
        let events = RunEvents()
        events.onConsumerCancelled { cancelled.add(1, ordering: .relaxed) }
        events.finish()
        let consumer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await events.next()
        }
        #expect(await consumer.value == nil)
        #expect(cancelled.load(ordering: .relaxed) == 0)
    }

    @Test func aNudgeWakesAnItemWaiterButNeverAnEventWaiter() async {
        let events = RunEvents()
        let item = Task { await events.nextItem() }
        #expect(await eventually { events.hasWaitingConsumer })
        events.nudge()
        guard case .nudge? = await item.value else {
            Issue.record("expected a nudge")
            return
        }
        // next() ignores nudges: it waits for the event.
        let event = Task { await events.next() }
        #expect(await eventually { events.hasWaitingConsumer })
        events.nudge()
        events.yield(.delta("a"))
        #expect(await event.value == .delta("a"))
    }

    @Test func nudgesWhileBusyCoalesceAndComeAfterQueuedEvents() async {
        let events = RunEvents()
        events.yield(.delta("a"))
        events.nudge()
        events.nudge()
        guard case .event(.delta("a"))? = await events.nextItem() else {
            Issue.record("expected the queued delta first")
            return
        }
        guard case .nudge? = await events.nextItem() else {
            Issue.record("expected one nudge")
            return
        }
        events.finish()
        events.nudge()  // after finish: ignored
        #expect(await events.nextItem() == nil)
    }
}
