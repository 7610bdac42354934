// threadmeter-load: drives a running ThreadMeter like the sales-assistant client, then verifies its accounting.
import Foundation

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("threadmeter-load: \(message)\n".utf8))
    exit(status)
}

let options: HarnessOptions
do {
    guard let parsed = try HarnessOptions.parse(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment) else {
        print(HarnessOptions.helpText)
        exit(0)
    }
    options = parsed
} catch {
    fail("\(error)", status: 2)
}

do {
    let outcome = try LoadRunner(options: options).run()
    let report = LoadReport(outcome: outcome)
    print(options.json ? report.json : report.text)
    exit(outcome.passed ? 0 : 1)
} catch {
    fail("\(error)", status: 1)
}
