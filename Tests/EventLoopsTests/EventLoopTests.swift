import Dispatch
import EventLoops
import Synchronization
import Testing

@Suite struct EventLoopTests {
    @Test func executeRunsInlineWhenAlreadyOnTheLoop() async {
        let loop = EventLoop(index: 0, label: "test.inline")
        let order = Mutex<[String]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.enqueue {
                loop.execute { order.withLock { $0.append("inline") } }
                order.withLock { $0.append("after") }
                done.resume()
            }
        }
        #expect(order.withLock { $0 } == ["inline", "after"])
    }

    @Test func enqueueOnTheLoopRunsAfterTheCurrentWork() async {
        let loop = EventLoop(index: 0, label: "test.enqueue")
        let order = Mutex<[String]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.enqueue {
                loop.enqueue {
                    order.withLock { $0.append("later") }
                    done.resume()
                }
                order.withLock { $0.append("now") }
            }
        }
        #expect(order.withLock { $0 } == ["now", "later"])
    }

    /// A turn runs what it enqueued (blocks and the jobs of tasks preferring the loop, and what
    /// those enqueue) before it returns, in order; without a turn it waits on the queue.
    @Test func aTurnRunsWhatItEnqueuedBeforeItReturns() async {
        let loop = EventLoop(index: 0, label: "test.turn")
        let order = Shared<[String]>([])
        let resumed = Shared<CheckedContinuation<Void, Never>?>(nil)
        let task = Task(executorPreference: loop) {
            await withCheckedContinuation { continuation in resumed.withLock { $0 = continuation } }
            order.withLock { $0.append("task resumed") }
        }
        while resumed.withLock({ $0 == nil }) { await Task.yield() }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.enqueue {
                loop.runTurn {
                    loop.enqueue {
                        order.withLock { $0.append("first") }
                        loop.enqueue { order.withLock { $0.append("enqueued by first") } }
                    }
                    resumed.withLock { $0!.resume() }
                    order.withLock { $0.append("body") }
                }
                order.withLock { $0.append("turn returned") }
                loop.enqueue {
                    order.withLock { $0.append("after the turn") }
                    done.resume()
                }
            }
        }
        await task.value
        #expect(order.withLock { $0 } == ["body", "first", "task resumed", "enqueued by first", "turn returned", "after the turn"])
    }

    /// Past `maxDeferredPerTurn` the rest goes to the queue, in order: a task that keeps yielding
    /// cannot keep the turn going.
    @Test func aTurnRunsAtMostItsShareAndQueuesTheRest() async {
        let loop = EventLoop(index: 0, label: "test.turn-cap")
        let count = EventLoop.maxDeferredPerTurn + 10
        let ran = Mutex<[Int]>([])
        let duringTurn = Mutex(0)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.enqueue {
                loop.runTurn {
                    for i in 0..<count {
                        loop.enqueue {
                            ran.withLock { $0.append(i) }
                            if i == count - 1 { done.resume() }
                        }
                    }
                }
                duringTurn.withLock { $0 = ran.withLock { $0.count } }
            }
        }
        #expect(duringTurn.withLock { $0 } == EventLoop.maxDeferredPerTurn)
        #expect(ran.withLock { $0 } == Array(0..<count))
    }

    @Test func currentIsTheLoopOnlyOnItsQueue() async {
        let loop = EventLoop(index: 3, label: "test.current")
        #expect(EventLoop.current == nil || EventLoop.current !== loop)
        let seen = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            loop.enqueue { done.resume(returning: EventLoop.current === loop && loop.inEventLoop) }
        }
        #expect(seen)
    }

    @Test func aTaskPreferringTheLoopRunsItsNonisolatedCodeOnIt() async {
        let loop = EventLoop(index: 0, label: "test.executor")
        let onLoop = await Task(executorPreference: loop) { () async -> [Bool] in
            var seen = [loop.inEventLoop]
            await Task.yield()
            seen.append(loop.inEventLoop)
            try? await Task.sleep(for: .milliseconds(1))
            seen.append(loop.inEventLoop)
            return seen
        }.value
        #expect(onLoop == [true, true, true])
    }

    @Test func aScheduledTimerCanBeCancelledBeforeItFires() async throws {
        let loop = EventLoop(index: 0, label: "test.timer")
        let fired = Atomic<Int>(0)
        let timer = loop.schedule(after: .milliseconds(50)) { fired.add(1, ordering: .relaxed) }
        timer.cancel()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.schedule(after: .milliseconds(100)) { done.resume() }
        }
        #expect(fired.load(ordering: .relaxed) == 0)
    }

    @Test func groupPrefersTheCallersLoop() async {
        let group = EventLoopGroup(count: 2, label: "test.group")
        let loop = group.loops[1]
        let chosen = await withCheckedContinuation { (done: CheckedContinuation<Int, Never>) in
            loop.enqueue { done.resume(returning: group.currentOrNext().index) }
        }
        #expect(chosen == 1)
        let other = EventLoopGroup(count: 1, label: "test.other")
        let fromForeign = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            loop.enqueue { done.resume(returning: other.currentOrNext() === other.loops[0]) }
        }
        #expect(fromForeign)
    }
}

/// A value behind a lock that closures and tasks share.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { storage.withLock { body(&$0) } }
}
