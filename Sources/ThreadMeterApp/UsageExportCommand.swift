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
        var index = 0
        func fail(_ message: String) -> Int32 {
            FileHandle.standardError.write(Data("threadmeter usage: \(message)\n".utf8))
            return 2
        }
        while index < arguments.count {
            var name = arguments[index]
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if name == "--help" || name == "-h" {
                print(help)
                return 0
            }
            if value == nil {
                index += 1
                guard index < arguments.count else { return fail("\(name) needs a value") }
                value = arguments[index]
            }
            let v = value!
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
            index += 1
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
