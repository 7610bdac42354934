import Testing
@testable import Metering

/// Random operations against the registry and a plain dictionary model: the ranking index, the idle
/// list and the totals must always agree with the model.
@Suite struct ThreadStoreModelTests {
    struct Model {
        var threads: [String: (total: Int, inFlight: Int, last: Double)] = [:]

        func top(_ k: Int) -> [String] {
            threads.sorted { a, b in a.value.total != b.value.total ? a.value.total > b.value.total : a.key < b.key }
                .prefix(k).map(\.key)
        }
    }

    @Test(arguments: [1, 2, 3])
    func randomOperations_matchADictionaryModel(seed: UInt64) async {
        let clock = ManualClock(1_000)
        let r = ThreadRegistry(maxAgeSeconds: 30, clock: clock, evictionBatchSize: 7)
        var model = Model()
        var rng = SplitMix(state: seed)
        for step in 0..<4_000 {
            let id = "t\(rng.next() % 200)"
            switch rng.next() % 10 {
            case 0...2:
                await r.beginRun(threadId: id, account: nil)
                var t = model.threads[id] ?? (0, 0, clock.now())
                t.inFlight += 1
                t.last = clock.now()
                model.threads[id] = t
            case 3...6:
                let n = Int(rng.next() % 50)
                await r.completeRun(threadId: id, usage: TokenUsage(inputTokens: n, outputTokens: n % 3))
                var t = model.threads[id] ?? (0, 0, clock.now())
                t.total += n + n % 3
                t.inFlight = max(0, t.inFlight - 1)
                t.last = clock.now()
                model.threads[id] = t
            case 7:
                await r.abortRun(threadId: id)
                if var t = model.threads[id] {
                    t.inFlight = max(0, t.inFlight - 1)
                    t.last = clock.now()
                    model.threads[id] = t
                }
            case 8:
                clock.advance(by: Double(rng.next() % 5))
            default:
                let cutoff = clock.now() - 30
                let expected = Set(model.threads.filter { $0.value.inFlight == 0 && $0.value.last < cutoff }.map(\.key))
                let evicted = await r.evictIdle()
                #expect(Set(evicted) == expected, "step \(step)")
                #expect(evicted.count == expected.count)
                for id in expected { model.threads[id] = nil }
            }
            if step % 97 == 0 {
                #expect(await r.top(limit: 15).map(\.threadId) == model.top(15), "step \(step)")
                let totals = await r.totals()
                #expect(totals.threads == model.threads.count)
                #expect(totals.totalTokens == model.threads.values.reduce(0) { $0 + $1.total })
            }
        }
        #expect(await r.top(limit: 1_000).map(\.threadId) == model.top(1_000))
    }
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
