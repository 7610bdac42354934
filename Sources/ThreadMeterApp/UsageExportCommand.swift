// `threadmeter usage`: exports aggregated ledger history as CSV or JSON from the command line.
import Foundation
import Metering
import SQLiteLedger
import Telemetry

/// The `usage` subcommand. Returns the process exit status.
public enum UsageExportCommand {
    public static let help = """
    Usage: threadmeter usage [--since T] [--until T] [--group-by account|model|day] [--format csv|json] [--database-path P]
      T is Unix seconds, YYYY-MM-DD (UTC) or an ISO 8601 date-time; --until is exclusive.
      --database-path defaults to $DATABASE_PATH, then threadmeter.sqlite.
    """

    public static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        var since: Double?
        var until: Double?
        var grouping = UsageGrouping.day
        var format = "csv"
        var path = environment["DATABASE_PATH"] ?? "threadmeter.sqlite"
        func fail(_ message: String) -> Int32 { CommandOptions.fail("usage", message) }
        let pairs: [(name: String, value: String)]
        switch CommandOptions.parse(arguments, command: "usage", help: help) {
        case .exit(let status): return status
        case .pairs(let parsed): pairs = parsed
        }
        for (name, v) in pairs {
            do {
                switch name {
                case "--since": since = try UsageTime.parse(v, name: "--since")
                case "--until": until = try UsageTime.parse(v, name: "--until")
                case "--group-by":
                    guard let g = UsageGrouping(rawValue: v) else { return fail("--group-by must be account, model or day") }
                    grouping = g
                case "--format":
                    guard v == "csv" || v == "json" else { return fail("--format must be csv or json") }
                    format = v
                case "--database-path": path = v
                default: return fail("unknown argument '\(name)'")
                }
            } catch {
                return fail(error.description)
            }
        }
        guard FileManager.default.fileExists(atPath: path) else { return fail("no usage database at '\(path)'") }
        do {
            let ledger = try SQLiteLedger(path: path, logger: .noop)
            let buckets = try await ledger.usageHistory(since: since, until: until, groupBy: grouping)
            if format == "json" {
                print(UsageReport.json(buckets, grouping: grouping, since: since, until: until).serialized())
            } else {
                print(UsageReport.csv(buckets, grouping: grouping), terminator: "")
            }
            return 0
        } catch {
            return fail("\(error)")
        }
    }
}
