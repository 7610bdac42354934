// Everything needed to reach an upstream (or to simulate one), with defaults in one place.
import Foundation
import HTTPClient

/// Upstream settings. `apiKey == nil` selects the simulated assistant.
public struct UpstreamConfiguration: Sendable {
    /// Which wire protocol a real upstream speaks.
    public enum API: String, Sendable, CaseIterable {
        /// OpenAI Assistants API v2: threads, messages, runs (contract §5).
        case assistants
        /// OpenAI Responses + Conversations API (contract §6).
        case responses
    }

    /// `OPENAI_API_KEY`; nil means no real upstream (the simulated assistant answers).
    public var apiKey: String?
    /// `OPENAI_BASE_URL`, the API root (`https://api.openai.com/v1`).
    public var baseURL: URL
    /// `UPSTREAM_API`.
    public var api: API
    /// `ASSISTANT_ID` (required with `.assistants`).
    public var assistantId: String?
    /// `OPENAI_MODEL` (required with `.responses`).
    public var model: String?
    /// `INSTRUCTIONS`: system instructions (Responses); the simulator counts them as prompt tokens.
    public var instructions: String?
    /// Longest wait for DNS, the TCP connection, a proxy tunnel and the TLS handshake.
    public var connectTimeout: Duration = .seconds(10)
    /// Longest wait for the response head once the request is sent.
    public var firstByteTimeout: Duration = .seconds(60)
    /// Longest gap between two body chunks of a streamed run.
    public var idleTimeout: Duration = .seconds(60)
    /// Concurrent connections to the upstream host; beyond it requests wait for one to come back.
    public var maxConnections: Int = 512
    /// Longest time `abandon()` spends reading (or polling) a cancelled run until it is terminal.
    public var abandonTimeout: Duration = .seconds(10)
    /// Interval between polls of a cancelled run or response.
    public var pollInterval: Duration = .milliseconds(200)
    /// How long an idle keep-alive connection stays open for reuse.
    public var poolIdleTimeout: Duration = .seconds(30)
    /// Largest non-streamed JSON body accepted from the upstream.
    public var maxJSONBodyBytes: Int = 16 * 1024 * 1024
    /// Pause before each delta of the simulated assistant (a random value in this range).
    public var simulatedDelay: ClosedRange<Duration> = .milliseconds(20) ... .milliseconds(40)
    /// Seed for the simulated assistant's ids and answers; nil draws from the system generator.
    public var simulatedSeed: UInt64?
    /// `UPSTREAM_CA_FILE`: PEM certificates trusted for an `https://` upstream in addition to the
    /// system's default store. There is no setting that disables verification.
    public var caFile: String?
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (read from the environment by default).
    public var proxy: HTTPProxySettings = .fromEnvironment()

    /// The HTTP client settings these upstream settings imply.
    var httpClientConfiguration: HTTPClientConfiguration {
        var client = HTTPClientConfiguration()
        client.connectTimeout = connectTimeout
        client.firstByteTimeout = firstByteTimeout
        client.idleTimeout = idleTimeout
        client.poolIdleTimeout = poolIdleTimeout
        client.maxConnectionsPerOrigin = maxConnections
        client.caFile = caFile
        client.proxy = proxy
        return client
    }

    /// The default API root.
    public static let defaultBaseURL = URL(string: "https://api.openai.com/v1")!

    public init(
        apiKey: String?,
        baseURL: URL = UpstreamConfiguration.defaultBaseURL,
        api: API = .assistants,
        assistantId: String? = nil,
        model: String? = nil,
        instructions: String? = nil
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.api = api
        self.assistantId = assistantId
        self.model = model
        self.instructions = instructions
    }

    /// The contract's default for `UPSTREAM_API`: `assistants` when `ASSISTANT_ID` is set, else `responses`.
    public static func defaultAPI(assistantId: String?) -> API {
        (assistantId?.isEmpty == false) ? .assistants : .responses
    }

    /// Parses an `OPENAI_BASE_URL` value: an absolute `http`/`https` URL with a host; nil otherwise.
    public static func parseBaseURL(_ text: String) -> URL? {
        guard let url = URL(string: text), Self.baseURLProblem(url) == nil else { return nil }
        return url
    }

    /// A one-line description of what is wrong, or nil when the configuration can be used.
    /// Only a real upstream (`apiKey` set) needs `ASSISTANT_ID` / `OPENAI_MODEL`.
    public func validate() -> String? {
        if let problem = Self.baseURLProblem(baseURL) { return problem }
        if let caFile, let problem = TrustedCertificates.problem(path: caFile) { return "UPSTREAM_CA_FILE: \(problem)" }
        guard apiKey != nil else { return nil }
        if apiKey?.isEmpty == true { return "OPENAI_API_KEY is set but empty" }
        if maxConnections < 1 { return "maxConnections must be at least 1 (got \(maxConnections))" }
        switch api {
        case .assistants:
            if assistantId?.isEmpty ?? true { return "ASSISTANT_ID is required with UPSTREAM_API=assistants" }
        case .responses:
            if model?.isEmpty ?? true { return "OPENAI_MODEL is required with UPSTREAM_API=responses" }
        }
        return nil
    }

    private static func baseURLProblem(_ url: URL) -> String? {
        let scheme = url.scheme?.lowercased()
        guard scheme == "http" || scheme == "https" else {
            return "OPENAI_BASE_URL must be an http or https URL (got \"\(url.absoluteString)\")"
        }
        guard let host = url.host, !host.isEmpty else {
            return "OPENAI_BASE_URL has no host (got \"\(url.absoluteString)\")"
        }
        return nil
    }
}
