import Foundation
@testable import PostgresStore
import TestSupport
import Testing

@Suite(.enabled(if: TestPostgres.isAvailable, "PostgreSQL server binaries not installed"))
struct PostgresPoolTests {
    static func pool(_ database: TestDatabase, size: Int) async throws -> PostgresPool {
        var options = PostgresPool.Options()
        options.size = size
        let pool = PostgresPool(url: try PostgresURL(database.url), options: options)
        try await pool.waitUntilConnected(timeout: .seconds(10))
        return pool
    }

    /// More requests than connections wait their turn; a slow statement past its timeout drops its
    /// connection (failing with .timeout), the slot reconnects, and a server error leaves it usable.
    @Test func queueing_timeouts_andServerErrors() async throws {
        try await withTestDatabase { database in
            let pool = try await Self.pool(database, size: 2)
            defer { pool.close() }
            let statement = PGStatement("t_sleep", parameters: 1, "SELECT pg_sleep($1::float8), $1::float8 AS slept")
            let results = try await withThrowingTaskGroup(of: Double.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await pool.query(statement, ["0.05"]).first?.double(1) ?? -1 }
                }
                return try await group.reduce(into: [Double]()) { $0.append($1) }
            }
            #expect(results == Array(repeating: 0.05, count: 12))
            let slow = await postgresFailure { _ = try await pool.query(statement, ["5"], timeout: .milliseconds(400)) }
            #expect(slow?.kind == .timeout)
            let failed = await postgresFailure { _ = try await pool.execute([.simple("SELECT 1/0")]) }
            #expect(failed?.kind == .server)
            #expect(failed?.sqlState == "22012")
            #expect(try await pool.query(statement, ["0"]).first?.double(1) == 0)
            #expect(pool.isHealthy)
        }
    }

    /// A request that leaves a transaction open on a pooled connection gets it rolled back before
    /// the connection serves anyone else.
    @Test func anOpenTransaction_isRolledBackBeforeTheConnectionIsReused() async throws {
        try await withTestDatabase { database in
            let pool = try await Self.pool(database, size: 1)
            defer { pool.close() }
            _ = try await pool.execute([.simple("CREATE TABLE t (v int)")])
            _ = try await pool.execute([.simple("BEGIN"), .simple("INSERT INTO t VALUES (1)")])
            let count = try await pool.execute([.simple("SELECT count(*) FROM t")])[0].first?.int(0)
            #expect(count == 0)
        }
    }
}
