// Runs an external program (python3, promtool) from a test, feeding it stdin.
import Foundation
import TestSupport

/// A finished external process.
struct ExternalToolResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum ExternalTool {
    /// Runs `executable` found on `PATH` with `arguments` and `input` on stdin; nil if not installed.
    /// Off the cooperative pool, so a slow tool never stalls the other tests' servers.
    static func run(_ executable: String, _ arguments: [String], input: String = "") async throws -> ExternalToolResult? {
        try await offCooperativePool { try runBlocking(executable, arguments, input: input) }
    }

    static func runBlocking(_ executable: String, _ arguments: [String], input: String = "") throws -> ExternalToolResult? {
        guard let path = locate(executable) else { return nil }
        let result = try ChildProcess.run(path, arguments, input: input)
        return ExternalToolResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Whether `python3 -c "import <module>"` succeeds.
    static func pythonHasModule(_ module: String) -> Bool {
        guard let result = try? runBlocking("python3", ["-c", "import \(module)"]) else { return false }
        return result.status == 0
    }

    /// The absolute path of `executable` on `PATH`.
    static func locate(_ executable: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":")
            .map { "\($0)/\(executable)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
