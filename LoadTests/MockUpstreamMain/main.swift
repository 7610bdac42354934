// mock-upstream: serve the mock OpenAI-style upstream on a port, or measure it alone (--direct-bench).
import Dispatch
import Foundation
import MockUpstream
import Telemetry

let command: MockUpstreamCommand
switch MockUpstreamCommand.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let parsed):
    command = parsed
case .failure(let error):
    FileHandle.standardError.write(Data((error.message + "\n").utf8))
    exit(error.isHelp ? 0 : 2)
}

guard let level = LogLevel(name: command.logLevel) else {
    FileHandle.standardError.write(Data("--log-level must be one of trace, debug, info, warning, error\n".utf8))
    exit(2)
}
let logger = Logger(label: "mock-upstream", level: level, sink: StreamLogSink())

var settings = MockUpstreamSettings()
settings.deltaCount = command.deltaCount
settings.deltaDelay = .microseconds(Int64(command.deltaDelayMilliseconds * 1000))
settings.apiKey = command.apiKey
settings.answer = command.answer
settings.recordRequests = command.recordRequests
settings.maxRememberedRuns = 20_000

let server = MockUpstreamServer(port: command.benchConcurrency == nil ? command.port : 0, settings: settings, logger: logger)
do {
    try server.start()
} catch {
    FileHandle.standardError.write(Data("mock-upstream: cannot listen on 127.0.0.1:\(command.port): \(error)\n".utf8))
    exit(1)
}

if let concurrency = command.benchConcurrency {
    let bench = DirectBench(baseURL: server.baseURL, apiKey: command.apiKey ?? "sk-bench", concurrency: concurrency, rounds: command.benchRounds, logger: logger)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        for name in command.benchProtocols {
            print(await bench.run(protocolName: name))
        }
        await server.shutdown()
        done.signal()
    }
    done.wait()
    exit(0)
}

FileHandle.standardOutput.write(Data("mock-upstream listening on \(server.baseURL.absoluteString)\n".utf8))
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let stop = DispatchSemaphore(value: 0)
let sources = [SIGINT, SIGTERM].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { @Sendable in stop.signal() }
    source.resume()
    return source
}
stop.wait()
let finished = DispatchSemaphore(value: 0)
Task.detached {
    await server.shutdown(deadline: .seconds(2))
    finished.signal()
}
finished.wait()
withExtendedLifetime(sources) {}
exit(0)
