// Settings of the usage-event webhook, with their defaults and their environment variables.
import Foundation

extension UsageEventShipper {
    /// Where and how usage events are posted. Defaults live here and only here.
    public struct Configuration: Sendable, Equatable {
        /// The collector endpoint, e.g. `https://splunk.example:8088/services/collector/event`.
        public var url: URL
        /// Sent as `Authorization: Splunk <token>` when set.
        public var token: String?
        /// Events per POST.
        public var batchSize: Int = 100
        /// Events waiting at most; further events are dropped (and counted) while it is full.
        public var queueCapacity: Int = 10_000
        /// Seconds a partial batch waits for more events before it is sent.
        public var flushInterval: Double = 1
        /// Attempts per batch (the first one included) before it is dropped.
        public var maxAttempts: Int = 5
        /// Seconds before the first retry; doubles per attempt up to `maxBackoff`.
        public var initialBackoff: Double = 0.5
        public var maxBackoff: Double = 30
        /// Seconds a POST may take (also the idle timeout between response bytes).
        public var requestTimeout: Double = 10
        /// The HEC `host` field (the machine's host name by default; nil leaves it out).
        public var host: String? = ProcessInfo.processInfo.hostName
        /// The HEC `source` field.
        public var source: String = "threadmeter"

        public init(url: URL, token: String? = nil) {
            self.url = url
            self.token = token
        }

        /// Reads `USAGE_WEBHOOK_URL` (unset or empty: nil, no shipping), `USAGE_WEBHOOK_TOKEN`,
        /// `USAGE_WEBHOOK_BATCH_SIZE`, `USAGE_WEBHOOK_QUEUE_CAPACITY`, `USAGE_WEBHOOK_FLUSH_SECONDS`.
        public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> Configuration? {
            guard let raw = environment["USAGE_WEBHOOK_URL"], !raw.isEmpty else { return nil }
            guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host?.isEmpty == false
            else {
                throw ConfigurationError(variable: "USAGE_WEBHOOK_URL", message: "must be an http:// or https:// URL with a host, got \(raw)")
            }
            var configuration = Configuration(url: url, token: environment["USAGE_WEBHOOK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
            if let value = environment["USAGE_WEBHOOK_BATCH_SIZE"] {
                configuration.batchSize = try positiveInteger(value, "USAGE_WEBHOOK_BATCH_SIZE")
            }
            if let value = environment["USAGE_WEBHOOK_QUEUE_CAPACITY"] {
                configuration.queueCapacity = try positiveInteger(value, "USAGE_WEBHOOK_QUEUE_CAPACITY")
            }
            if let value = environment["USAGE_WEBHOOK_FLUSH_SECONDS"] {
                guard let seconds = Double(value), seconds.isFinite, seconds >= 0 else {
                    throw ConfigurationError(variable: "USAGE_WEBHOOK_FLUSH_SECONDS", message: "must be a number of seconds ≥ 0, got \(value)")
                }
                configuration.flushInterval = seconds
            }
            return configuration
        }

        private static func positiveInteger(_ value: String, _ variable: String) throws(ConfigurationError) -> Int {
            guard let number = Int(value), number > 0 else {
                throw ConfigurationError(variable: variable, message: "must be a positive integer, got \(value)")
            }
            return number
        }

        var policy: BatchShipper<UsageEvent>.Policy {
            .init(capacity: queueCapacity, batchSize: batchSize, flushInterval: flushInterval,
                  maxAttempts: maxAttempts, initialBackoff: initialBackoff, maxBackoff: maxBackoff)
        }
    }

    /// A usage-webhook setting that cannot be used.
    public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
        public var variable: String
        public var message: String
        public var description: String { "\(variable) \(message)" }
    }
}
