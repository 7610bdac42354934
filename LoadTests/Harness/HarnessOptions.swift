// Command-line options of threadmeter-load, with their defaults in one place.
import Glibc

/// How the virtual clients behave over time.
enum LoadProfile: String, Sendable, CaseIterable {
    /// Clients start over the ramp-up and each posts its queries in sequence.
    case steady
    /// A tenth of the clients run steadily; a third of the way in the rest start at once and stop
    /// two thirds of the way in.
    case spike
    /// Like steady, with no query limit, bounded by `--duration`; reports RSS growth.
    case soak
    /// Every client keeps one stream open at all times (a new query as soon as one ends) until
    /// `--duration`, while a probe measures `/health` latency.
    case hold
    /// Like steady, but every client reads its stream slowly (small reads, pauses) to exercise
    /// the server's backpressure.
    case slowReaders = "slow-readers"
}

/// Which server the harness talks to.
enum LoadTarget: String, Sendable, CaseIterable {
    /// ThreadMeter's `POST /v1/query` (the default).
    case threadmeter
    /// An Assistants v2 upstream directly (the mock): threads, messages, streamed runs.
    case assistants
    /// A Responses upstream directly (the mock): conversations and streamed responses.
    case responses
}

/// Parsed command-line options.
struct HarnessOptions: Sendable {
    var url = "http://127.0.0.1:8080"
    var host = "127.0.0.1"
    var port = 8080
    /// Path prefix from `--url` (empty for a service root; `/v1` for an upstream at `…/v1`).
    var basePath = ""
    /// `Host` header value.
    var hostHeader: String { "\(host):\(port)" }
    var clients = 10
    /// Queries per client; nil means unlimited (bounded by the duration).
    var queries: Int? = 5
    var duration: Double?
    var rampUp: Double = 0
    var newThreadShare: Double = 0
    var adminToken: String?
    var apiKey: String?
    var json = false
    var profile: LoadProfile = .steady
    var target: LoadTarget = .threadmeter
    var pid: Int32?
    var expectExclusive = false
    var verify = true
    var requestTimeout: Double = 120
    var drainTimeout: Double = 60
    var thinkTimeMillis: Double = 0
    var workers = 1
    var seed: UInt64 = 0x5EED
    var probeHealth = false
    var slowReadBytes = 256
    var slowReadIntervalMillis: Double = 20
    var statsConcurrency = 4
    var quiet = false
    /// Bearer token for direct upstream targets.
    var upstreamKey = "sk-load"
    /// Assistant id or model for direct upstream targets.
    var assistantId = "asst_load"
    var model = "gpt-4o-mini"

    static let helpText = """
    threadmeter-load: drive a running ThreadMeter like the sales-assistant client and verify its accounting.

    USAGE: threadmeter-load [options]

    Load:
      --url URL                 service root (default http://127.0.0.1:8080); a path is a prefix for
                                every request (e.g. http://127.0.0.1:9000/v1 for an upstream)
      --clients N               virtual clients, each on its own keep-alive connection (default 10)
      --queries M               queries per client, posted in sequence (default 5; unlimited for soak/hold)
      --duration S              stop issuing queries after S seconds (required shape for soak/hold/spike;
                                defaults 60/30/30)
      --ramp-up S               start the clients evenly over S seconds (default 0)
      --new-thread-share P      probability 0…1 that a follow-up query starts a new thread (default 0)
      --think-time MS           pause between a client's queries (default 0)
      --profile NAME            steady | spike | soak | hold | slow-readers (default steady)
      --slow-read-bytes N       slow-readers: bytes per read (default 256)
      --slow-read-interval MS   slow-readers: pause between reads (default 20)
      --timeout S               give up on one query after S seconds (default 120)
      --drain-timeout S         after the duration, wait this long for streams in flight (default 60)
      --workers N               event-loop threads in the harness (default 1)
      --seed N                  random seed for thread choices (default 24302)
      --target T                threadmeter (default) | assistants | responses: talk to an upstream
                                (the mock) directly, to measure the proxy's overhead
      --assistant-id ID         assistant id for --target assistants (default asst_load)
      --model NAME              model for --target responses (default gpt-4o-mini)

    Auth:
      --api-key KEY             Authorization for /v1/query (default $THREADMETER_API_KEY)
      --admin-token TOKEN       Authorization for /stats (default $ADMIN_TOKEN)

    Observation and checks:
      --pid PID                 sample the server's VmRSS and thread count from /proc during the run
      --probe-health            measure GET /health latency every 100 ms during the run (on for hold)
      --expect-exclusive        the harness is the only client: /stats totals must move by exactly
                                what the clients received
      --no-verify               skip the accounting check (direct upstream targets skip it anyway)
      --stats-concurrency N     parallel connections for the /stats checks (default 4)

    Output:
      --json                    one JSON document on stdout instead of the text report
      --quiet                   no progress lines on stderr
      --help                    this text

    Exit status: 0 only if every query succeeded and the accounting was verified; 1 otherwise;
    2 for bad usage.
    """

    /// Parses `arguments` (without the program name). Throws `.usage` for bad input; returns nil for `--help`.
    static func parse(_ arguments: [String], environment: [String: String]) throws(HarnessError) -> HarnessOptions? {
        var options = HarnessOptions()
        options.apiKey = environment["THREADMETER_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        options.adminToken = environment["ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        var queriesGiven = false
        var durationGiven = false
        var probeGiven = false
        var index = 0

        func value(_ flag: String) throws(HarnessError) -> String {
            index += 1
            guard index < arguments.count else { throw HarnessError.usage("\(flag) needs a value") }
            return arguments[index]
        }
        func int(_ flag: String, min: Int) throws(HarnessError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n >= min else { throw HarnessError.usage("\(flag): expected an integer ≥ \(min), got \(text.debugDescription)") }
            return n
        }
        func double(_ flag: String, min: Double) throws(HarnessError) -> Double {
            let text = try value(flag)
            guard let n = Double(text), n.isFinite, n >= min else { throw HarnessError.usage("\(flag): expected a number ≥ \(min), got \(text.debugDescription)") }
            return n
        }

        while index < arguments.count {
            var argument = arguments[index]
            // Accept --flag=value as well as --flag value.
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                let flagPart = String(argument[..<eq])
                let valuePart = String(argument[argument.index(after: eq)...])
                var rewritten = arguments
                rewritten[index] = valuePart
                rewritten.insert(flagPart, at: index)
                return try parse(rewritten, environment: environment)
            }
            switch argument {
            case "--help", "-h": return nil
            case "--url": options.url = try value(argument)
            case "--clients": options.clients = try int(argument, min: 1)
            case "--queries": options.queries = try int(argument, min: 1); queriesGiven = true
            case "--duration": options.duration = try double(argument, min: 0.1); durationGiven = true
            case "--ramp-up": options.rampUp = try double(argument, min: 0)
            case "--new-thread-share":
                options.newThreadShare = try double(argument, min: 0)
                guard options.newThreadShare <= 1 else { throw HarnessError.usage("--new-thread-share must be within 0…1") }
            case "--think-time": options.thinkTimeMillis = try double(argument, min: 0)
            case "--profile":
                let name = try value(argument)
                guard let profile = LoadProfile(rawValue: name) else {
                    throw HarnessError.usage("--profile: unknown \(name.debugDescription) (steady, spike, soak, hold, slow-readers)")
                }
                options.profile = profile
            case "--target":
                let name = try value(argument)
                guard let target = LoadTarget(rawValue: name) else {
                    throw HarnessError.usage("--target: unknown \(name.debugDescription) (threadmeter, assistants, responses)")
                }
                options.target = target
            case "--assistant-id": options.assistantId = try value(argument)
            case "--model": options.model = try value(argument)
            case "--slow-read-bytes": options.slowReadBytes = try int(argument, min: 1)
            case "--slow-read-interval": options.slowReadIntervalMillis = try double(argument, min: 0)
            case "--timeout": options.requestTimeout = try double(argument, min: 0.1)
            case "--drain-timeout": options.drainTimeout = try double(argument, min: 0)
            case "--workers": options.workers = try int(argument, min: 1)
            case "--seed": options.seed = UInt64(try int(argument, min: 0))
            case "--api-key": options.apiKey = try value(argument)
            case "--admin-token": options.adminToken = try value(argument)
            case "--pid": options.pid = Int32(try int(argument, min: 1))
            case "--probe-health": options.probeHealth = true; probeGiven = true
            case "--expect-exclusive": options.expectExclusive = true
            case "--no-verify": options.verify = false
            case "--stats-concurrency": options.statsConcurrency = try int(argument, min: 1)
            case "--json": options.json = true
            case "--quiet": options.quiet = true
            default:
                argument = argument.debugDescription
                throw HarnessError.usage("unknown argument \(argument) (see --help)")
            }
            index += 1
        }

        try options.resolveURL()
        switch options.profile {
        case .soak, .hold, .spike:
            if !durationGiven { options.duration = options.profile == .soak ? 60 : 30 }
            if !queriesGiven { options.queries = nil }
        case .steady, .slowReaders:
            break
        }
        if options.profile == .hold && !probeGiven { options.probeHealth = true }
        if options.target != .threadmeter { options.verify = false }
        return options
    }

    /// Splits `url` into host and port (http only: the service speaks plain HTTP behind a proxy).
    private mutating func resolveURL() throws(HarnessError) {
        guard url.hasPrefix("http://") else { throw HarnessError.usage("--url must start with http:// (got \(url.debugDescription))") }
        var rest = url.dropFirst("http://".count)
        if let slash = rest.firstIndex(of: "/") {
            var path = String(rest[slash...])
            while path.hasSuffix("/") { path.removeLast() }
            guard !path.contains("?"), !path.contains("#") else { throw HarnessError.usage("--url: no query or fragment") }
            basePath = path
            rest = rest[..<slash]
        }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[...close])
            let after = rest[rest.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : 80
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...]) ?? -1
        } else {
            host = String(rest)
            port = 80
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw HarnessError.usage("--url: bad host or port in \(url.debugDescription)") }
    }
}
