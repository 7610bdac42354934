// Command-line options of the mock-upstream executable.

/// Parsed `mock-upstream` arguments.
struct MockUpstreamCommand {
    var port = 8090
    var deltaCount = 12
    var deltaDelayMilliseconds = 0.0
    var apiKey: String?
    var answer: String?
    var recordRequests = false
    var logLevel = "info"
    /// Concurrent streams for `--direct-bench`; nil serves until SIGINT/SIGTERM.
    var benchConcurrency: Int?
    var benchRounds = 3
    var benchProtocols: [String] = ["assistants", "responses"]

    static let usage = """
    usage: mock-upstream [options]
      --port N               listen port on 127.0.0.1 (default 8090; 0 picks one)
      --deltas N             deltas per answer (default 12)
      --delta-delay-ms X     pause before each delta in milliseconds (default 0)
      --api-key KEY          require Authorization: Bearer KEY
      --answer TEXT          fixed answer text
      --record-requests      keep a request log (off by default for load)
      --log-level LEVEL      trace|debug|info|warning|error (default info)
      --direct-bench N       instead of serving: run N concurrent streams per round straight
                             against the mock with ThreadMeter's upstream client, print latencies
      --rounds N             rounds for --direct-bench (default 3)
      --protocol P           assistants|responses|both for --direct-bench (default both)
    The base URL to configure is printed on start: http://127.0.0.1:PORT/v1
    """

    /// Parses `arguments` (without the program name); returns an error line on bad input.
    static func parse(_ arguments: [String]) -> Result<MockUpstreamCommand, CommandError> {
        var command = MockUpstreamCommand()
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws(CommandError) -> String {
            guard let next = iterator.next() else { throw CommandError("\(flag) needs a value") }
            return next
        }
        func integer(_ flag: String, in range: ClosedRange<Int>) throws(CommandError) -> Int {
            let text = try value(flag)
            guard let number = Int(text), range.contains(number) else { throw CommandError("\(flag) must be an integer in \(range) (got \"\(text)\")") }
            return number
        }
        do throws(CommandError) {
            while let argument = iterator.next() {
                switch argument {
                case "--port": command.port = try integer(argument, in: 0...65535)
                case "--deltas": command.deltaCount = try integer(argument, in: 1...10_000)
                case "--delta-delay-ms":
                    let text = try value(argument)
                    guard let number = Double(text), number >= 0, number < 600_000 else { throw CommandError("--delta-delay-ms must be a number ≥ 0 (got \"\(text)\")") }
                    command.deltaDelayMilliseconds = number
                case "--api-key": command.apiKey = try value(argument)
                case "--answer": command.answer = try value(argument)
                case "--record-requests": command.recordRequests = true
                case "--log-level": command.logLevel = try value(argument)
                case "--direct-bench": command.benchConcurrency = try integer(argument, in: 1...100_000)
                case "--rounds": command.benchRounds = try integer(argument, in: 1...1000)
                case "--protocol":
                    let text = try value(argument)
                    switch text {
                    case "assistants", "responses": command.benchProtocols = [text]
                    case "both": command.benchProtocols = ["assistants", "responses"]
                    default: throw CommandError("--protocol must be assistants, responses or both (got \"\(text)\")")
                    }
                case "--help", "-h": throw CommandError(usage, isHelp: true)
                default: throw CommandError("unknown option \(argument) (see --help)")
                }
            }
        } catch {
            return .failure(error)
        }
        return .success(command)
    }
}

/// A bad command line (or `--help`).
struct CommandError: Error {
    var message: String
    var isHelp = false
    init(_ message: String, isHelp: Bool = false) {
        self.message = message
        self.isHelp = isHelp
    }
}
