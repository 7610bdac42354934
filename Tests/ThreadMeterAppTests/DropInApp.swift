// The service with its drop-in surfaces against a running MockUpstreamServer, plus the SDK venv.
import Foundation
import MockUpstream
import Synchronization
import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

/// The client key the drop-in tests configure in `API_KEYS`.
let dropInClientKey = "tm-client-key"

/// `withMockedApp` with the upstream key `sk-upstream-secret` (tests check it never leaks), runs in the
/// background ending after 150 ms (then `mockSettings`), and `API_KEYS` set to `dropInClientKey`.
func withDropInApp(
    _ api: UpstreamConfiguration.API = .assistants,
    mockSettings: (inout MockUpstreamSettings) -> Void = { _ in },
    service: (inout ServiceConfiguration) -> Void = { _ in },
    _ body: (TestApp, MockUpstreamServer) async throws -> Void
) async throws {
    try await withMockedApp(api, upstreamKey: "sk-upstream-secret", mockSettings: {
        $0.backgroundRunDuration = .milliseconds(150)
        mockSettings(&$0)
    }, service: {
        $0.apiKeys = [dropInClientKey]
        service(&$0)
    }, body)
}

/// The venv with the official OpenAI Python SDK (made by `Tests/SDKTests/python/setup-venv.sh`).
enum SDKVenv {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var python: String { root + "/.build/sdk-venv/bin/python" }
    static var script: String { root + "/Tests/SDKTests/python/sdk_checks.py" }
    private static let ready = Mutex<Result<String, SDKVenvError>?>(nil)

    /// The venv's python, creating the venv once per test process. Fails (never skips) with the
    /// setup script's reason when it cannot be made.
    static func python() async throws -> String {
        if let done = ready.withLock({ $0 }) { return try done.get() }
        let setup = root + "/Tests/SDKTests/python/setup-venv.sh"
        let result = try await offCooperativePool { try ChildProcess.run("/bin/bash", [setup]) }
        let outcome: Result<String, SDKVenvError> = result.status == 0
            ? .success(python)
            : .failure(SDKVenvError(reason: "could not create the OpenAI SDK venv with \(setup) (exit \(result.status)): \(result.stderr)\(result.stdout)"))
        ready.withLock { $0 = outcome }
        return try outcome.get()
    }

    /// Runs one scenario of `sdk_checks.py` against `app` and returns the JSON line it printed.
    static func run(_ scenario: String, _ arguments: [String] = [], app: TestApp) async throws -> [String: Any] {
        let python = try await python()
        var environment = ProcessInfo.processInfo.environment
        environment["OPENAI_BASE_URL"] = "http://127.0.0.1:\(app.port)/v1"
        environment["OPENAI_API_KEY"] = dropInClientKey
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["no_proxy"] = "127.0.0.1,localhost"
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"] { environment[name] = nil }
        let script = self.script
        let childEnvironment = environment
        let result = try await offCooperativePool { try ChildProcess.run(python, [script, scenario] + arguments, environment: childEnvironment) }
        try #require(result.status == 0, "sdk_checks.py \(scenario) failed (exit \(result.status)):\n\(result.stderr)\n\(result.stdout)")
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(result.stdout)")
    }
}

struct SDKVenvError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

extension TestApp {
    /// A thread's `/stats/threads/{id}` figures as (input, output, runs); nil when untracked.
    func threadFigures(_ threadId: String) async throws -> (input: Int, output: Int, runs: Int)? {
        let response = try await request("GET", "/stats/threads/\(threadId)")
        guard response.status == 200 else { return nil }
        let json = try response.json
        return (json["input_tokens"] as? Int ?? -1, json["output_tokens"] as? Int ?? -1, json["runs"] as? Int ?? -1)
    }

    /// Waits (with `eventually`) until `/stats` totals reach `input`/`output`; returns the last totals seen.
    func waitForTotals(input: Int, output: Int) async throws -> (input: Int, output: Int) {
        var seen = (input: -1, output: -1)
        _ = try await eventually {
            let statistics = try await self.statistics()
            seen = (statistics["total_input_tokens"] as? Int ?? -1, statistics["total_output_tokens"] as? Int ?? -1)
            return seen.input == input && seen.output == output
        }
        return seen
    }
}

extension MockUpstreamServer {
    /// Waits (with `eventually`) until the mock reported at least `runs` runs' usage; returns its totals.
    func waitForReportedRun(atLeast runs: Int = 1) async -> MockUsageTotals {
        _ = await eventually { reportedUsage.runs >= runs }
        return reportedUsage
    }
}
