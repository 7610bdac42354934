// What one upstream wire protocol adds to the generic driver: its calls and its stream interpreter.

/// One upstream protocol (OpenAI Assistants, Responses, …): the few calls that differ between them.
///
/// `UpstreamDriver` does everything else the same way for every dialect: checks the thread id, creates
/// the thread when the request has none, opens the run's event stream, relays it through
/// `Interpreter`, and on `abandon()` stops the run (`stopsByClosingStream`, else `cancelRun`) and
/// polls it (`fetchRun`) until it is terminal. A dialect holds no per-run state.
protocol UpstreamDialect: Sendable {
    /// The pure state machine that reads this protocol's run stream.
    associatedtype Interpreter: StreamInterpreter

    /// Logger label, e.g. `upstream.assistants`.
    static var logLabel: String { get }
    /// What the protocol calls a thread in messages (`thread`, `conversation`).
    static var threadNoun: String { get }
    /// True when a run is stopped by closing its stream (Responses); false when the upstream is asked
    /// to cancel it (`cancelRun`) and the stream is read on until the run is terminal (Assistants).
    static var stopsByClosingStream: Bool { get }
    /// Headers the protocol adds to every call besides `Authorization` (e.g. `OpenAI-Beta`).
    static var protocolHeaders: [(String, String)] { get }

    /// A dialect making its calls through `calls`.
    init(calls: UpstreamCalls)
    /// The calls it makes.
    var calls: UpstreamCalls { get }

    /// Throws when the configuration lacks what every run needs (checked before any call).
    func checkConfiguration() throws(UpstreamError)
    /// Creates a thread upstream and returns its id (not yet checked for being well formed).
    func createThread(_ context: RunContext) async throws(UpstreamError) -> String
    /// Adds the question when the protocol needs a separate call for it, and opens the run's
    /// `text/event-stream`; returns once the upstream accepted the run.
    func openRunStream(threadId: String, context: RunContext) async throws(UpstreamError) -> UpstreamHTTPResponse
    /// Asks the upstream to stop the run (only called when `stopsByClosingStream` is false).
    func cancelRun(_ runId: String, threadId: String) async throws(UpstreamError)
    /// Reads the run as it is now (`GET …/runs/{id}`, `GET /responses/{id}`).
    func fetchRun(_ runId: String, threadId: String) async throws(UpstreamError) -> Interpreter.Polled
}

extension UpstreamDialect {
    static var protocolHeaders: [(String, String)] { [] }

    /// Nothing to ask: dialects that stop a run by closing its stream need no cancel call.
    func cancelRun(_ runId: String, threadId: String) async throws(UpstreamError) {}

    /// For `checkConfiguration`: throws unless the setting `name` has a non-empty `value`.
    func require(_ value: String?, named name: String) throws(UpstreamError) {
        guard let value, !value.isEmpty else { throw .badStatus(500, "\(name) is not configured") }
    }

    /// For `createThread`: `POST path` with the run's metadata, answered with the new object's `id`.
    func createWithMetadata(at path: String, _ context: RunContext) async throws(UpstreamError) -> String {
        try await calls.post(path, MetadataBody(metadata: context.metadata), call: .create, as: CreatedObject.self).id
    }
}
