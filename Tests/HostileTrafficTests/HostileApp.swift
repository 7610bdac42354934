// The whole service on a free port (simulated assistant answering at once, in-memory ledger), and
// the checks app-level attacks end with: a normal query still works, recorded usage is unchanged.
import Foundation
import Metering
import Telemetry
import Testing
import TestSupport
import ThreadMeterApp
import Upstream

/// `/stats` totals and every thread's figures: what must not change under attack.
struct RecordedUsage: Equatable, CustomStringConvertible {
    var totals: [String: Int]
    var threads: [String: [String: Int]]
    var description: String { "totals \(totals), \(threads.count) threads" }
}

enum HostileApp {
    /// Runs `body` with the service's port; the service always shuts down.
    static func with(
        configure: (inout ServiceConfiguration) -> Void = { _ in },
        _ body: (Int) async throws -> Void
    ) async throws {
        var configuration = ServiceConfiguration()
        configuration.port = 0
        configuration.databasePath = ":memory:"
        configuration.shutdownGraceSeconds = 1
        configure(&configuration)
        var options = SimulatedAssistant.Options()
        options.delay = .zero ... .zero
        options.seed = 7
        let service = ThreadMeterService(configuration: configuration, upstream: SimulatedAssistant(options: options),
                                         ledger: InMemoryLedger(), logger: .noop)
        let port = try await service.start()
        do {
            try await body(port)
        } catch {
            await service.shutdown()
            throw error
        }
        await service.shutdown()
    }

    /// A normal non-streaming query on a new thread succeeds; returns its thread id.
    @discardableResult
    static func expectQueryServed(port: Int, threadId: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String? {
        var body = #"{"query":"What does the enterprise plan cost?","stream":false"#
        if let threadId { body += #","threadId":"\#(threadId)""# }
        body += "}"
        let response = try await sendRequest(port: port, path: "/v1/query", headers: [("Content-Type", "application/json")], body: body, timeout: patience)
        #expect(response.status == 200, "\(response.text.prefix(300))", sourceLocation: sourceLocation)
        return response.jsonObject?["thread_id"] as? String
    }

    /// `/stats` totals and per-thread numbers (up to 1000 threads).
    static func recordedUsage(port: Int) async throws -> RecordedUsage {
        let response = try await sendRequest(port: port, path: "/stats?limit=1000")
        let statistics = try #require(response.jsonObject?["statistics"] as? [String: Any], "GET /stats: \(response.text.prefix(200))")
        var totals: [String: Int] = [:]
        for key in ["total_threads", "total_input_tokens", "total_output_tokens", "total_tokens_across_all_threads"] {
            totals[key] = statistics[key] as? Int
        }
        var threads: [String: [String: Int]] = [:]
        for (id, value) in statistics["threads"] as? [String: Any] ?? [:] {
            let figures = value as? [String: Any] ?? [:]
            threads[id] = ["input_tokens": figures["input_tokens"] as? Int ?? -1, "output_tokens": figures["output_tokens"] as? Int ?? -1,
                           "total_tokens": figures["total_tokens"] as? Int ?? -1, "runs": figures["runs"] as? Int ?? -1]
        }
        return RecordedUsage(totals: totals, threads: threads)
    }

    /// Records one run so that there is something that must not change.
    static func recordBaseline(port: Int) async throws -> RecordedUsage {
        try await expectQueryServed(port: port)
        let usage = try await recordedUsage(port: port)
        #expect(usage.totals["total_threads"] == 1)
        return usage
    }
}
