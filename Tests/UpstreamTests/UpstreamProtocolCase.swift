// What the adapter tests need to know about one upstream protocol as the mock speaks it.
import MockUpstream
import Testing
@testable import Upstream

/// One upstream protocol under test: its configuration value and the mock endpoints of its calls.
struct UpstreamProtocolCase: Sendable, CustomTestStringConvertible {
    var api: UpstreamConfiguration.API
    /// Creates a thread (conversation).
    var createThread: MockEndpoint
    /// Starts the streamed run (response).
    var startRun: MockEndpoint
    /// Reads a run (response) after it was stopped.
    var pollRun: MockEndpoint
    /// Asks the upstream to stop a run; nil when the run is stopped by closing its stream.
    var cancelRun: MockEndpoint?
    var threadPrefix: String
    var runPrefix: String
    /// The model the mock reports on runs.
    var model: String
    /// The setting every run needs.
    var requiredSetting: String

    var testDescription: String { api.rawValue }

    static let assistants = UpstreamProtocolCase(
        api: .assistants, createThread: .createThread, startRun: .createRun, pollRun: .getRun, cancelRun: .cancelRun,
        threadPrefix: "thread_", runPrefix: "run_", model: "gpt-4o-mini", requiredSetting: "ASSISTANT_ID")
    static let responses = UpstreamProtocolCase(
        api: .responses, createThread: .createConversation, startRun: .createResponse, pollRun: .getResponse, cancelRun: nil,
        threadPrefix: "conv_", runPrefix: "resp_", model: "gpt-4o-mini-2024-07-18", requiredSetting: "OPENAI_MODEL")

    /// Every protocol the driver runs.
    static let all = [assistants, responses]
}
