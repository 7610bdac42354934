import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing
import TestSupport

/// Runs the real `threadmeter` binary as a child process, kills it with SIGKILL under load, restarts it on the
/// same database and compares what `/stats` shows with what the clients were told.
@Suite(.serialized) struct CrashRecoveryTests {
    /// The built `threadmeter` executable, next to the test bundle.
    static func binary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("threadmeter"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/threadmeter"),
        ]
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
        throw ChildError.noBinary(candidates.map(\.path))
    }

    enum ChildError: Error {
        case noBinary([String])
        case noPort(String)
    }

    /// A started child; `port` is read from its "listening on" log line.
    final class Child: @unchecked Sendable {
        let process: ChildProcess
        let port: Int
        private let outcome = ExitBox()
        private let reaped = TestLatch()

        final class ExitBox: Sendable {
            let result = Mutex<ChildResult?>(nil)
        }

        init(database: String, extraEnvironment: [String: String] = [:]) throws {
            var env = ProcessInfo.processInfo.environment
            env["PORT"] = "0"
            env["DATABASE_PATH"] = database
            env["SIMULATED_DELAY_MS"] = "2"
            env.removeValue(forKey: "OPENAI_API_KEY")
            env.merge(extraEnvironment) { $1 }
            let child = try ChildProcess(try CrashRecoveryTests.binary().path, [], environment: env)
            process = child
            var log = ""
            let deadline = Date().addingTimeInterval(Double(patience.components.seconds))
            var found: Int?
            var buffer = [UInt8](repeating: 0, count: 4096)
            while found == nil && Date() < deadline {
                var pfd = pollfd(fd: child.stderrFD, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 100) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(child.stderrFD, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                log += String(decoding: buffer[0..<n], as: UTF8.self)
                if let range = log.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    found = Int(log[range].split(separator: ":").last ?? "")
                }
            }
            // From here on a thread drains the child's output (so it never blocks on a full pipe) and reaps it.
            let outcome = self.outcome, reaped = self.reaped
            Thread {
                let result = child.wait()
                outcome.result.withLock { $0 = result }
                reaped.open()
            }.start()
            guard let found else {
                child.signal(SIGKILL)
                throw ChildError.noPort(log)
            }
            port = found
        }

        /// Starts a child without blocking the cooperative pool while it boots.
        static func start(database: String) async throws -> Child {
            try await offCooperativePool { try Child(database: database) }
        }

        func kill9() async throws {
            process.signal(SIGKILL)
            _ = await reaped.wait()
        }

        /// SIGTERM, then the exit status once the child is gone.
        func terminate() async throws -> Int32 {
            process.signal(SIGTERM)
            _ = await reaped.wait()
            return outcome.result.withLock { $0?.status ?? -1 }
        }
    }

    static func query(port: Int, threadId: String?) async throws -> (thread: String, input: Int, output: Int)? {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/query")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        var body: [String: Any] = ["query": "How do we close this quarter?"]
        if let threadId { body["threadId"] = threadId }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, _) = try await testSession.data(for: request)
        let events = try SSEEventRecord.parse(String(decoding: data, as: UTF8.self))
        guard let done = events.last, done.type == "stream_complete",
              let thread = done.data["thread_id"] as? String, let run = done.usage("run_usage") else { return nil }
        return (thread, run.0, run.1)
    }

    static func stats(port: Int) async throws -> [String: Any] {
        let (data, _) = try await testSession.data(from: URL(string: "http://127.0.0.1:\(port)/stats?limit=1000")!)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(json["statistics"] as? [String: Any])
    }

    @Test func killMinusNineUnderLoadLosesNothingClientsWereTold() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("usage.sqlite").path

        let first = try await Child.start(database: database)
        let told = UsageTally()
        let port = first.port
        // 16 clients, each on its own thread, query until the server dies.
        let clients = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var thread: String?
                        for _ in 0..<200 {
                            guard let result = try? await CrashRecoveryTests.query(port: port, threadId: thread) else { return }
                            thread = result.thread
                            told.add(result.thread, result.input, result.output)
                        }
                    }
                }
            }
        }
        // Let some runs complete, then pull the plug mid-load.
        let inputTold = { told.values.values.reduce(0) { $0 + $1.0 } }
        #expect(await eventually { inputTold() > 0 && told.values.count >= 16 })
        let early = inputTold()
        #expect(await eventually { inputTold() > early }, "runs are still completing when the plug is pulled")
        try await first.kill9()
        await clients.value
        let acknowledged = told.values
        #expect(acknowledged.count >= 16)

        let second = try await Child.start(database: database)
        let stats = try await Self.stats(port: second.port)
        let threads = try #require(stats["threads"] as? [String: [String: Any]])
        for (id, usage) in acknowledged {
            let recorded = try #require(threads[id], "thread \(id) was told usage but is missing after restart")
            // Every acknowledged run is there; a run committed just before the kill may not have been acknowledged.
            #expect((recorded["input_tokens"] as? Int ?? -1) >= usage.0, "thread \(id)")
            #expect((recorded["output_tokens"] as? Int ?? -1) >= usage.1, "thread \(id)")
        }
        let sumInput = threads.values.reduce(0) { $0 + ($1["input_tokens"] as? Int ?? 0) }
        #expect(stats["total_input_tokens"] as? Int == sumInput, "totals equal the sum over threads")
        #expect(try await second.terminate() == 0, "SIGTERM exits 0")
    }

    /// Runs the binary to completion (off the cooperative pool); returns its status and stderr.
    static func runToExit(environment: [String: String]) async throws -> (Int32, String) {
        let binary = try Self.binary().path
        let result = try await offCooperativePool { try ChildProcess.run(binary, [], environment: environment) }
        return (result.status, result.stderr)
    }

    @Test func badConfigurationExitsWithStatusTwoAndOneLine() async throws {
        let (status, text) = try await Self.runToExit(environment: ["PORT": "99999", "PATH": "/usr/bin:/bin"])
        #expect(status == 2)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.contains("PORT"))
    }

    @Test func unwritableDatabaseExitsWithStatusTwo() async throws {
        let (status, text) = try await Self.runToExit(environment: ["PORT": "0", "DATABASE_PATH": "/proc/nope/usage.sqlite", "PATH": "/usr/bin:/bin"])
        #expect(status == 2)
        #expect(text.contains("threadmeter: error:"))
    }
}
