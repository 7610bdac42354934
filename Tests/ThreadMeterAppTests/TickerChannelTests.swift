import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

/// The keep-alive ticker's channel keeps AsyncStream's contract for its one consumer.
@Suite struct TickerChannelTests {
    func isKeepAlive(_ item: KeepAliveTicker.Item?) -> Bool {
        if case .keepAlive? = item { return true }
        return false
    }

    @Test func queuedItemsComeOutInOrderThenNilAfterFinish() async {
        let channel = TickerChannel()
        channel.yield(.keepAlive)
        channel.yield(.event(.delta("a")))
        channel.finish()
        channel.yield(.keepAlive)  // after finish: ignored
        #expect(isKeepAlive(await channel.next()))
        guard case .event(.delta("a"))? = await channel.next() else {
            Issue.record("expected the delta")
            return
        }
        #expect(await channel.next() == nil)
        #expect(await channel.next() == nil)
    }

    @Test func aWaitingConsumerGetsTheNextItemAndThenTheEnd() async {
        let channel = TickerChannel()
        let first = Task { await channel.next() }
        #expect(await eventually { channel.hasWaitingConsumer })
        channel.yield(.keepAlive)
        #expect(isKeepAlive(await first.value))
        let waiting = Task { await channel.next() }
        #expect(await eventually { channel.hasWaitingConsumer })
        channel.finish()
        #expect(await waiting.value == nil)
    }

    @Test func aCancelledConsumerGetsNilAtOnceAndQueuedItemsAreDropped() async {
        let channel = TickerChannel()
        let waiting = Task { await channel.next() }
        #expect(await eventually { channel.hasWaitingConsumer })
        waiting.cancel()
        #expect(await waiting.value == nil)
        channel.yield(.keepAlive)
        #expect(await channel.next() == nil)

        let alreadyCancelled = TickerChannel()
        let consumer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await alreadyCancelled.next()
        }
        #expect(await consumer.value == nil)
    }
}
