// The service configured against a running MockUpstreamServer, for end-to-end tests of both protocols.
import MockUpstream
@testable import ThreadMeterApp
import Upstream

/// Starts the mock (6 deltas per answer, then `mockSettings`), then the service against it
/// (`OPENAI_BASE_URL` is the mock, `OPENAI_API_KEY` is `upstreamKey`; `configure` adjusts the upstream
/// settings, `service` the service's), runs `body`, and shuts both down.
func withMockedApp(
    _ api: UpstreamConfiguration.API,
    upstreamKey: String = "sk-test",
    mockSettings: (inout MockUpstreamSettings) -> Void = { _ in },
    configure: (inout UpstreamConfiguration) -> Void = { _ in },
    service: (inout ServiceConfiguration) -> Void = { _ in },
    _ body: (TestApp, MockUpstreamServer) async throws -> Void
) async throws {
    var settings = MockUpstreamSettings()
    settings.apiKey = upstreamKey
    settings.deltaCount = 6
    mockSettings(&settings)
    let mock = MockUpstreamServer(settings: settings)
    try mock.start()
    var config = UpstreamConfiguration(apiKey: upstreamKey, baseURL: mock.baseURL, api: api,
                                       assistantId: api == .assistants ? "asst_test" : nil,
                                       model: api == .responses ? "gpt-4o-mini" : nil,
                                       instructions: "You are a helpful sales assistant.")
    // Short enough that a stalled stream ends a test in seconds, long enough that a machine running
    // every suite at once does not turn a healthy answer into a timeout.
    config.idleTimeout = .seconds(5)
    config.firstByteTimeout = .seconds(10)
    config.abandonTimeout = .seconds(5)
    configure(&config)
    let upstream = makeUpstream(config, logger: .noop)
    do {
        try await withTestApp(configure: {
            $0.openAIAPIKey = upstreamKey
            $0.openAIBaseURL = mock.baseURL.absoluteString
            $0.assistantId = config.assistantId
            $0.openAIModel = config.model
            $0.upstreamAPI = api
            service(&$0)
        }, upstream: upstream) { app in
            try await body(app, mock)
        }
    } catch {
        await mock.shutdown()
        throw error
    }
    await mock.shutdown()
}
