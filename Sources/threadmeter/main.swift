// threadmeter: read the configuration, start the service, stop gracefully on SIGTERM/SIGINT, reload prices on SIGHUP.
import Dispatch
import Foundation
import Telemetry
import ThreadMeterApp

let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment

if arguments.first == "usage" {
    exit(await UsageExportCommand.run(arguments: Array(arguments.dropFirst()), environment: environment))
}
if arguments.first == "migrate" {
    exit(await MigrateCommand.run(arguments: Array(arguments.dropFirst()), environment: environment))
}
if arguments.contains("--help") || arguments.contains("-h") {
    print(ServiceConfiguration.helpText)
    exit(0)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("threadmeter: error: \(message)\n".utf8))
    exit(2)
}

let configuration: ServiceConfiguration
do {
    configuration = try ServiceConfiguration.load(environment: environment, arguments: arguments)
} catch {
    fail(error.description)
}

let logSink = StreamLogSink(format: configuration.logFormat)
let logger = Logger(label: "threadmeter", level: configuration.logLevel, sink: logSink)
let service: ThreadMeterService
do {
    service = try await ThreadMeterService.make(configuration: configuration, logger: logger)
} catch {
    logSink.flush()
    fail("\(error)")
}

do {
    try await service.start()
} catch {
    logSink.flush()
    fail("cannot start: \(error)")
}

let stopped = DispatchSemaphore(value: 0)
let signalQueue = DispatchQueue(label: "threadmeter.signals")
var signalSources: [DispatchSourceSignal] = []
for sig in [SIGTERM, SIGINT] {
    signal(sig, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
    source.setEventHandler { @Sendable in
        Task {
            await service.shutdown()
            stopped.signal()
        }
    }
    source.resume()
    signalSources.append(source)
}
signal(SIGHUP, SIG_IGN)
let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: signalQueue)
hangup.setEventHandler { @Sendable in service.reloadPricing() }
hangup.resume()
signal(SIGPIPE, SIG_IGN)

await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
    DispatchQueue.global().async {
        stopped.wait()
        continuation.resume()
    }
}
logSink.flush()
exit(0)
