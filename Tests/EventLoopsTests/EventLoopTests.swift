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
