// The whole service under mixed attack: slowloris, abandoned connections and streams, smuggling and
// garbage at once, while normal queries go on; afterwards only the normal queries were recorded.
import Testing
import TestSupport

extension HostileTraffic {
    @Suite struct AppUnderAttack {
        @Test func normalQueriesAreServedAndOnlyTheyAreRecorded() async throws {
            try await HostileApp.with { port in
                let recorded = try await HostileApp.recordBaseline(port: port)
                let baseline = ResidentMemory.trimmedBytes()

                // Slowloris and half-sent requests, held open for the whole test.
                let slow = RawSockets.openMany(300, port: port)
                for (i, fd) in slow.enumerated() {
                    RawSockets.send(fd, Array((i % 2 == 0 ? "POST /v1/query HTTP/1.1\r\nHost: x\r\nX-Slow: a" : "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"query\":").utf8))
                }
                // Smuggling and garbage on their own connections.
                let smuggling = SmugglingAttempt.all.map { Array($0.bytes.replacingOccurrences(of: "/echo", with: "/v1/query").utf8) }
                var refusals: [Int] = []
                for attempt in smuggling.prefix(8) {
                    refusals += statuses(in: try await exchangeUntilClose(port: port, attempt))
                }
                refusals += statuses(in: try await exchangeUntilClose(port: port, NoiseBytes.make(count: 200_000, seed: 3)))
                #expect(refusals.allSatisfy { [400, 431, 501].contains($0) }, "\(refusals)")

                // Normal queries keep working, continuing the recorded thread and on new ones.
                let threadId = try #require(recorded.threads.keys.first)
                for _ in 0..<3 { try await HostileApp.expectQueryServed(port: port) }

                // Thousands of connections opened and dropped.
                for _ in 0..<2 {
                    let fds = RawSockets.openMany(1000, port: port)
                    for fd in fds { RawSockets.send(fd, Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
                    RawSockets.close(fds, reset: true)
                }
                try await HostileApp.expectQueryServed(port: port)
                RawSockets.close(slow)

                let after = try await HostileApp.recordedUsage(port: port)
                #expect(after.threads[threadId] == recorded.threads[threadId], "the recorded thread changed")
                #expect(after.totals["total_threads"] == 5, "only the four normal queries may add threads")
                #expect(ResidentMemory.trimmedBytes() < baseline + ResidentMemory.slack)
            }
        }

        @Test func clientsThatNeverReadTheirStreamsDoNotDisturbOthers() async throws {
            try await HostileApp.with { port in
                let recorded = try await HostileApp.recordBaseline(port: port)
                let threadId = try #require(recorded.threads.keys.first)
                let body = #"{"query":"Write a long proposal","accountName":"Never Reads"}"#
                let request = "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                let silent = RawSockets.openMany(100, port: port, receiveBuffer: 2048)
                for fd in silent { RawSockets.send(fd, Array(request.utf8)) }
                // Others are served while those streams sit unread.
                for _ in 0..<3 { try await HostileApp.expectQueryServed(port: port) }
                let response = try await sendRequest(port: port, path: "/health")
                #expect(response.status == 200)
                RawSockets.close(silent, reset: true)
                try await HostileApp.expectQueryServed(port: port, threadId: threadId)
                let after = try await HostileApp.recordedUsage(port: port)
                // The continued thread has exactly one more run; the silent clients' runs are their own threads.
                #expect(after.threads[threadId]?["runs"] == (recorded.threads[threadId]?["runs"] ?? 0) + 1)
                #expect((after.totals["total_tokens_across_all_threads"] ?? 0) >= (recorded.totals["total_tokens_across_all_threads"] ?? 0))
            }
        }
    }
}
