import Foundation
import Synchronization
import Testing
@testable import ThreadMeterApp

@Suite struct ConcurrencyTests {
    /// 50 concurrent clients × 10 queries: 25 on their own threads, 25 sharing 5 threads.
    /// Every thread's total equals the sum of the run usage its clients were told, and so do the grand totals.
    @Test func totalsAreExactUnderConcurrency() async throws {
        try await withTestApp { app in
            // Five shared threads, created first.
            var seeded: [String] = []
            let told = UsageTally()
            @Sendable func tell(_ thread: String, _ events: [SSEEventRecord]) throws {
                let done = try #require(events.last)
                try #require(done.type == "stream_complete", "\(done.data)")
                let run = try #require(done.usage("run_usage"))
                told.add(thread, run.0, run.1)
            }
            for _ in 0..<5 {
                let events = try await app.query(["query": "seed"]).events
                let id = try #require(events[0].data["thread_id"] as? String)
                try tell(id, events)
                seeded.append(id)
            }
            let shared = seeded
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<50 {
                    group.addTask {
                        var thread: String? = client < 25 ? nil : shared[client % 5]
                        for q in 0..<10 {
                            var body: [String: Any] = ["query": "client \(client) question \(q)"]
                            if let thread { body["threadId"] = thread }
                            let response = try await app.query(body)
                            #expect(response.status == 200)
                            let events = try response.events
                            let id = try #require(events.first?.data["thread_id"] as? String)
                            thread = id
                            try tell(id, events)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let expected = told.values
            let stats = try await app.statistics(query: "?limit=1000")
            #expect(stats["total_threads"] as? Int == expected.count)
            #expect(expected.count == 30)
            #expect(stats["total_input_tokens"] as? Int == expected.values.reduce(0) { $0 + $1.0 })
            #expect(stats["total_output_tokens"] as? Int == expected.values.reduce(0) { $0 + $1.1 })
            let threads = try #require(stats["threads"] as? [String: [String: Any]])
            for (id, usage) in expected {
                #expect(threads[id]?["input_tokens"] as? Int == usage.0, "thread \(id)")
                #expect(threads[id]?["output_tokens"] as? Int == usage.1, "thread \(id)")
            }
            for id in shared {
                #expect(threads[id]?["runs"] as? Int == 1 + 50)
            }
        }
    }
}

/// What the clients were told, per thread.
final class UsageTally: Sendable {
    private let state = Mutex<[String: (Int, Int)]>([:])
    func add(_ thread: String, _ input: Int, _ output: Int) {
        state.withLock { $0[thread, default: (0, 0)].0 += input; $0[thread, default: (0, 0)].1 += output }
    }
    var values: [String: (Int, Int)] { state.withLock { $0 } }
}
