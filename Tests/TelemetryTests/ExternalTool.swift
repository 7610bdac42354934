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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try launchSerially(process)
        // Write and read on separate threads so neither side blocks on a full pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errData = ErrorCollector(handle: stderr.fileHandleForReading)
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ExternalToolResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.finish(), as: UTF8.self)
        )
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

/// Drains a pipe on a background thread.
private final class ErrorCollector: @unchecked Sendable {
    // Written by the reader thread before `done` is signalled, read only after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}
