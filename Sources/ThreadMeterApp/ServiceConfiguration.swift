// The service's configuration: environment variables, mirrored by command-line flags, defaults in one place.
import Foundation
import PostgresStore
import Telemetry
import Tracing
import Upstream

/// Everything the service reads at startup (contract §4).
public struct ServiceConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var openAIAPIKey: String?
    public var openAIBaseURL = "https://api.openai.com/v1"
    /// `UPSTREAM_API`; nil means: `assistants` if an assistant id is set, else `responses`.
    public var upstreamAPI: UpstreamConfiguration.API?
    public var assistantId: String?
    public var openAIModel: String?
    public var instructions: String?
    public var agentName = "ShadowAssistant"
    public var threadMaxAgeSeconds: Double = 86_400
    public var evictionIntervalSeconds: Double = 60
    public var databasePath = "threadmeter.sqlite"
    /// `DATABASE_URL`: the PostgreSQL store shared by replicas (validated); nil = SQLite at `databasePath`.
    public var databaseURL: String?
    /// How long an unreachable PostgreSQL is retried at startup before exiting (status 2).
    public var databaseConnectTimeoutSeconds: Double = 30
    /// Rows PostgreSQL could not take wait here (one file per replica) until it can.
    public var pendingRunsPath = "threadmeter-pending-runs.jsonl"
    /// Stored with this replica's ledger rows; default `host:port`.
    public var replicaName: String?
    public var maxBodyBytes = 1_048_576
    public var adminToken: String?
    public var apiKeys: [String] = []
    public var logLevel: LogLevel = .info
    public var logFormat: LogFormat = .text
    public var pricingFile: String?
    /// Upstream timeouts (seconds).
    public var upstreamConnectTimeout: Double = 10
    public var upstreamFirstByteTimeout: Double = 60
    public var upstreamIdleTimeout: Double = 60
    /// Concurrent upstream connections (each streaming run holds one); beyond it runs queue.
    public var upstreamMaxConnections = 4096
    /// PEM certificates trusted for an https upstream besides the system store.
    public var upstreamCAFile: String?
    /// Delay between simulated deltas (milliseconds).
    public var simulatedDelayMs: Double = 30
    /// Longest wait for running streams on SIGTERM/SIGINT (seconds).
    public var shutdownGraceSeconds: Double = 25
    /// A `: keep-alive` comment is sent after this long without an upstream event (seconds).
    public var sseKeepAliveSeconds: Double = 15
    public var usageWebhookURL: String?
    public var usageWebhookToken: String?
    /// `CORS_ORIGINS`; nil: no CORS headers.
    public var cors: CORSPolicy?
    /// The `OTEL_*` variables as given; `tracing` is read from them.
    public var otelSettings: [String: String] = [:]
    /// OTLP trace export; nil when no endpoint is set.
    public var tracing: TracingConfiguration?

    public init() {}

    /// The effective upstream protocol.
    public var effectiveUpstreamAPI: UpstreamConfiguration.API {
        upstreamAPI ?? (assistantId != nil ? .assistants : .responses)
    }

    /// One configuration setting: its environment name (the flag is `--lower-kebab`), help and parser.
    struct Setting: Sendable {
        let env: String
        let help: String
        let apply: @Sendable (inout ServiceConfiguration, String) throws(ConfigurationError) -> Void
        var flag: String { "--" + env.lowercased().replacingOccurrences(of: "_", with: "-") }
    }

    /// Why the configuration cannot be used; printed as one line, exit status 2.
    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The `UPSTREAM_API` values, from the enum: a third protocol shows up here by itself.
    static let apiNames = UpstreamConfiguration.API.allCases.map(\.rawValue)

    static let settings: [Setting] = [
        Setting(env: "HOST", help: "listen address (default 127.0.0.1)") { c, v throws(ConfigurationError) in
            guard !v.isEmpty else { throw ConfigurationError("HOST must not be empty") }
            c.host = v
        },
        Setting(env: "PORT", help: "listen port, 0 picks a free one (default 8080)") { c, v throws(ConfigurationError) in
            c.port = try integer("PORT", v, in: 0...65535)
        },
        Setting(env: "OPENAI_API_KEY", help: "upstream key; unset runs the built-in simulated assistant") { c, v in
            c.openAIAPIKey = v.isEmpty ? nil : v
        },
        Setting(env: "OPENAI_BASE_URL", help: "upstream API root (default https://api.openai.com/v1)") { c, v throws(ConfigurationError) in
            guard UpstreamConfiguration.parseBaseURL(v) != nil else {
                throw ConfigurationError("OPENAI_BASE_URL must be an http(s) URL with a host, got '\(v)'")
            }
            c.openAIBaseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        },
        Setting(env: "UPSTREAM_API", help: "\(apiNames.joined(separator: " | ")) (default: assistants if ASSISTANT_ID is set)") { c, v throws(ConfigurationError) in
            guard let api = UpstreamConfiguration.API(rawValue: v.lowercased()) else {
                throw ConfigurationError("UPSTREAM_API must be one of \(apiNames.map { "'\($0)'" }.joined(separator: ", ")); got '\(v)'")
            }
            c.upstreamAPI = api
        },
        Setting(env: "ASSISTANT_ID", help: "assistant used for runs (Assistants upstream)") { c, v in
            c.assistantId = v.isEmpty ? nil : v
        },
        Setting(env: "OPENAI_MODEL", help: "model (Responses upstream; required there)") { c, v in
            c.openAIModel = v.isEmpty ? nil : v
        },
        Setting(env: "INSTRUCTIONS", help: "system instructions (Responses upstream)") { c, v in
            c.instructions = v.isEmpty ? nil : v
        },
        Setting(env: "AGENT_NAME", help: "name reported in thread_info (default ShadowAssistant)") { c, v in
            c.agentName = v
        },
        Setting(env: "THREAD_MAX_AGE_SECONDS", help: "idle age after which a thread is evicted (default 86400)") { c, v throws(ConfigurationError) in
            c.threadMaxAgeSeconds = try seconds("THREAD_MAX_AGE_SECONDS", v, allowZero: false)
        },
        Setting(env: "EVICTION_INTERVAL_SECONDS", help: "how often the eviction timer runs (default 60)") { c, v throws(ConfigurationError) in
            c.evictionIntervalSeconds = try seconds("EVICTION_INTERVAL_SECONDS", v, allowZero: false)
        },
        Setting(env: "DATABASE_PATH", help: "SQLite usage store (default threadmeter.sqlite; ':memory:' keeps nothing)") { c, v throws(ConfigurationError) in
            guard !v.isEmpty else { throw ConfigurationError("DATABASE_PATH must not be empty") }
            c.databasePath = v
        },
        Setting(env: "DATABASE_URL", help: "PostgreSQL usage store shared by replicas: postgres://user:password@host:port/db?libpq-params (DATABASE_PATH is then ignored)") { c, v throws(ConfigurationError) in
            guard !v.isEmpty else {
                c.databaseURL = nil
                return
            }
            do throws(PostgresError) {
                _ = try PostgresURL(v)
            } catch {
                throw ConfigurationError(error.message)
            }
            c.databaseURL = v
        },
        Setting(env: "DATABASE_CONNECT_TIMEOUT_SECONDS", help: "how long an unreachable DATABASE_URL is retried at startup (default 30)") { c, v throws(ConfigurationError) in
            c.databaseConnectTimeoutSeconds = try seconds("DATABASE_CONNECT_TIMEOUT_SECONDS", v, allowZero: false)
        },
        Setting(env: "PENDING_RUNS_PATH", help: "with DATABASE_URL: file keeping rows PostgreSQL could not take, one per replica (default threadmeter-pending-runs.jsonl)") { c, v throws(ConfigurationError) in
            guard !v.isEmpty else { throw ConfigurationError("PENDING_RUNS_PATH must not be empty") }
            c.pendingRunsPath = v
        },
        Setting(env: "REPLICA_NAME", help: "with DATABASE_URL: this replica's name in the ledger (default host:port)") { c, v in
            c.replicaName = v.isEmpty ? nil : v
        },
        Setting(env: "MAX_BODY_BYTES", help: "request body limit in bytes (default 1048576)") { c, v throws(ConfigurationError) in
            c.maxBodyBytes = try integer("MAX_BODY_BYTES", v, in: 1...(1 << 30))
        },
        Setting(env: "ADMIN_TOKEN", help: "bearer token required by /stats, /stats/..., /metrics and /admin/... (unset: loopback clients only)") { c, v in
            c.adminToken = v.isEmpty ? nil : v
        },
        Setting(env: "API_KEYS", help: "comma-separated bearer keys required by /v1/...") { c, v in
            c.apiKeys = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        },
        Setting(env: "LOG_LEVEL", help: "trace|debug|info|notice|warning|error (default info)") { c, v throws(ConfigurationError) in
            guard let level = LogLevel(name: v) else {
                throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical; got '\(v)'")
            }
            c.logLevel = level
        },
        Setting(env: "LOG_FORMAT", help: "text | json (default text)") { c, v throws(ConfigurationError) in
            guard let format = LogFormat(rawValue: v.lowercased()) else {
                throw ConfigurationError("LOG_FORMAT must be 'text' or 'json', got '\(v)'")
            }
            c.logFormat = format
        },
        Setting(env: "PRICING_FILE", help: "LiteLLM-style JSON price map extending the built-in table (reloaded on SIGHUP)") { c, v in
            c.pricingFile = v.isEmpty ? nil : v
        },
        Setting(env: "UPSTREAM_CONNECT_TIMEOUT_SECONDS", help: "upstream connect timeout (default 10)") { c, v throws(ConfigurationError) in
            c.upstreamConnectTimeout = try seconds("UPSTREAM_CONNECT_TIMEOUT_SECONDS", v, allowZero: false)
        },
        Setting(env: "UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS", help: "upstream time to first byte (default 60)") { c, v throws(ConfigurationError) in
            c.upstreamFirstByteTimeout = try seconds("UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS", v, allowZero: false)
        },
        Setting(env: "UPSTREAM_IDLE_TIMEOUT_SECONDS", help: "longest upstream silence between stream events (default 60)") { c, v throws(ConfigurationError) in
            c.upstreamIdleTimeout = try seconds("UPSTREAM_IDLE_TIMEOUT_SECONDS", v, allowZero: false)
        },
        Setting(env: "UPSTREAM_MAX_CONNECTIONS", help: "concurrent upstream connections; each streaming run holds one (default 4096)") { c, v throws(ConfigurationError) in
            c.upstreamMaxConnections = try integer("UPSTREAM_MAX_CONNECTIONS", v, in: 1...65_536)
        },
        Setting(env: "UPSTREAM_CA_FILE", help: "PEM CA certificates trusted for an https upstream, besides the system store") { c, v in
            c.upstreamCAFile = v.isEmpty ? nil : v
        },
        Setting(env: "SIMULATED_DELAY_MS", help: "delay between simulated answer deltas (default 30)") { c, v throws(ConfigurationError) in
            c.simulatedDelayMs = try seconds("SIMULATED_DELAY_MS", v, allowZero: true)
        },
        Setting(env: "SHUTDOWN_GRACE_SECONDS", help: "how long running streams may finish on SIGTERM (default 25)") { c, v throws(ConfigurationError) in
            c.shutdownGraceSeconds = try seconds("SHUTDOWN_GRACE_SECONDS", v, allowZero: true)
        },
        Setting(env: "SSE_KEEPALIVE_SECONDS", help: "send ': keep-alive' after this much upstream silence (default 15)") { c, v throws(ConfigurationError) in
            c.sseKeepAliveSeconds = try seconds("SSE_KEEPALIVE_SECONDS", v, allowZero: false)
        },
        Setting(env: "USAGE_WEBHOOK_URL", help: "HTTP collector (Splunk HEC-compatible) receiving usage events") { c, v throws(ConfigurationError) in
            guard v.isEmpty || (URL(string: v)?.host != nil) else {
                throw ConfigurationError("USAGE_WEBHOOK_URL must be an http(s) URL, got '\(v)'")
            }
            c.usageWebhookURL = v.isEmpty ? nil : v
        },
        Setting(env: "USAGE_WEBHOOK_TOKEN", help: "token sent as 'Authorization: Splunk <token>'") { c, v in
            c.usageWebhookToken = v.isEmpty ? nil : v
        },
        Setting(env: "CORS_ORIGINS", help: "origins (comma-separated) or * allowed to call /v1/... from a browser; unset: no CORS") { c, v throws(ConfigurationError) in
            c.cors = try CORSPolicy.fromEnvironment(v)
        },
    ] + otelSettingRows

    /// The OpenTelemetry SDK variables, read together by `TracingConfiguration` once all are known.
    static let otelSettingRows: [Setting] = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTLP/HTTP base URL; /v1/traces is appended; unset: no traces"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "full OTLP/HTTP traces URL, used as is (preferred)"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "k=v,... headers sent with each export (values percent-decoded)"),
        ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "k=v,... headers for trace exports (override the above)"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json (default) or http/protobuf"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "the protocol for traces (overrides the above)"),
        ("OTEL_SERVICE_NAME", "service.name of the exported spans (default threadmeter)"),
    ].map { name, help in Setting(env: name, help: help) { c, v in c.otelSettings[name] = v } }

    /// Reads the environment, then the flags (flags win). `--help` is handled by the caller.
    public static func load(environment: [String: String], arguments: [String]) throws(ConfigurationError) -> ServiceConfiguration {
        var config = ServiceConfiguration()
        for setting in settings {
            if let value = environment[setting.env] {
                try setting.apply(&config, value)
            }
        }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var name = argument
            var value: String?
            if let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                value = String(argument[argument.index(after: eq)...])
            }
            guard let setting = settings.first(where: { $0.flag == name }) else {
                throw ConfigurationError("unknown argument '\(argument)' (see --help)")
            }
            if value == nil {
                index += 1
                guard index < arguments.count else { throw ConfigurationError("\(name) needs a value") }
                value = arguments[index]
            }
            try setting.apply(&config, value!)
            index += 1
        }
        do {
            config.tracing = try TracingConfiguration.fromEnvironment(config.otelSettings)
        } catch {
            throw ConfigurationError(error.description)
        }
        try config.validate()
        return config
    }

    /// Cross-field checks.
    func validate() throws(ConfigurationError) {
        if let problem = upstreamConfiguration.validate() {
            throw ConfigurationError(problem)
        }
    }

    /// `--help` text.
    public static var helpText: String {
        var text = """
        threadmeter: a token-metering SSE proxy in front of an OpenAI-style thread API.

        Usage: threadmeter [--flag value | --flag=value]...
               threadmeter usage [--since T] [--until T] [--group-by account|model|day] [--format csv|json] [--database-path P]
               threadmeter migrate --from sqlite:PATH --to postgres://USER:PASSWORD@HOST:PORT/DB [--max-age SECONDS]

        Every flag mirrors an environment variable; flags win. Without OPENAI_API_KEY the built-in
        simulated assistant answers (no key or network needed).

        """
        for s in settings {
            text += "  \(s.flag.padding(toLength: 38, withPad: " ", startingAt: 0)) \(s.env): \(s.help)\n"
        }
        return text
    }

    static func integer(_ name: String, _ value: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let n = Int(value.trimmingCharacters(in: .whitespaces)), range.contains(n) else {
            throw ConfigurationError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(value)'")
        }
        return n
    }

    static func seconds(_ name: String, _ value: String, allowZero: Bool) throws(ConfigurationError) -> Double {
        guard let n = Double(value.trimmingCharacters(in: .whitespaces)), n.isFinite, allowZero ? n >= 0 : n > 0 else {
            throw ConfigurationError("\(name) must be a \(allowZero ? "non-negative" : "positive") number, got '\(value)'")
        }
        return n
    }
}
