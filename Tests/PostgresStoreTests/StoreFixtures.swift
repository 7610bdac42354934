import Foundation
import Metering
@testable import PostgresStore
import Telemetry
import TestSupport
import Testing

enum StoreFixtures {
    static func record(_ thread: String, run: String, input: Int, output: Int, account: String? = "Acme", status: RunStatus = .completed, cost: Double? = 0.001) -> RunRecord {
        var r = RunRecord(
            runId: run, threadId: thread, account: account, model: "gpt-4o-mini",
            usage: TokenUsage(inputTokens: input, outputTokens: output), costUSD: cost,
            startedAt: 1_767_225_600, finishedAt: 1_767_225_601
        )
        r.status = status
        return r
    }

    static func open(_ url: String, _ configure: (inout PostgresUsageStore.Options) -> Void = { _ in }) async throws -> PostgresUsageStore {
        var options = PostgresUsageStore.Options()
        options.pool.probeInterval = .milliseconds(250)
        options.pool.probeTimeout = .seconds(1)
        options.pool.maxBackoff = .milliseconds(500)
        configure(&options)
        return try await PostgresUsageStore.open(url: try PostgresURL(url), options: options, connectTimeout: .seconds(10))
    }
}

/// The `PostgresError` `body` throws (nil when it succeeds or throws something else).
func postgresFailure(_ body: () async throws -> Void) async -> PostgresError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? PostgresError
    }
}
