// Everything needed to reach an upstream (or to simulate one), with defaults in one place.
import Foundation

/// Upstream settings. `apiKey == nil` selects the simulated assistant.
public struct UpstreamConfiguration: Sendable {
    /// Which wire protocol a real upstream speaks.
    public enum API: String, Sendable, CaseIterable {
        /// OpenAI Assistants API v2: threads, messages, runs (contract §5).
        case assistants
        /// OpenAI Responses + Conversations API (contract §6).
        case responses
    }

    /// How requests reach the upstream.
    public enum Transport: String, Sendable, CaseIterable {
        /// The native HTTP/1.1 transport for `http://` base URLs, URLSession for `https://`.
        case automatic
        /// URLSession (FoundationNetworking) whatever the scheme.
        case urlSession
        /// The native HTTP/1.1 transport (plain `http://` only; `https://` falls back to URLSession,
        /// as there is no TLS library).
        case native
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
    /// Longest wait for the TCP/TLS connection. URLSession on Linux cannot time the connect phase
    /// alone, so the response head must arrive within `connectTimeout + firstByteTimeout`.
    public var connectTimeout: Duration = .seconds(10)
    /// Longest wait for the response head once the request is sent.
    public var firstByteTimeout: Duration = .seconds(60)
    /// Longest gap between two body chunks of a streamed run.
    public var idleTimeout: Duration = .seconds(60)
    /// Concurrent connections to the upstream host (URLSession's default of 6 queues streams silently).
    public var maxConnections: Int = 512
    /// Longest time `abandon()` spends reading (or polling) a cancelled run until it is terminal.
    public var abandonTimeout: Duration = .seconds(10)
    /// Interval between polls of a cancelled run or response.
    public var pollInterval: Duration = .milliseconds(200)
    /// Which transport carries requests (`.automatic` by default).
    public var transport: Transport = .automatic
    /// How long an idle keep-alive connection of the native transport stays open for reuse.
    public var poolIdleTimeout: Duration = .seconds(30)
    /// Largest non-streamed JSON body accepted from the upstream.
    public var maxJSONBodyBytes: Int = 16 * 1024 * 1024
    /// Pause before each delta of the simulated assistant (a random value in this range).
    public var simulatedDelay: ClosedRange<Duration> = .milliseconds(20) ... .milliseconds(40)
    /// Seed for the simulated assistant's ids and answers; nil draws from the system generator.
    public var simulatedSeed: UInt64?

    /// The transport actually used: `.native` or `.urlSession`, never `.automatic`.
    public var resolvedTransport: Transport {
        let plainHTTP = baseURL.scheme?.lowercased() == "http"
        switch transport {
        case .urlSession: return .urlSession
        case .automatic, .native: return plainHTTP ? .native : .urlSession
        }
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

    /// Parses an `OPENAI_BASE_URL` value: an absolute `http`/`https` URL with a host; nil otherwise.
    public static func parseBaseURL(_ text: String) -> URL? {
        guard let url = URL(string: text), Self.baseURLProblem(url) == nil else { return nil }
        return url
    }

    /// A one-line description of what is wrong, or nil when the configuration can be used.
    /// Only a real upstream (`apiKey` set) needs `ASSISTANT_ID` / `OPENAI_MODEL`.
    public func validate() -> String? {
        if let problem = Self.baseURLProblem(baseURL) { return problem }
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
