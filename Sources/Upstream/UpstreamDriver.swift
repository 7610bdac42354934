// The one driver every upstream protocol runs on: thread, run stream, stop and poll.
import Telemetry

/// Runs questions on a real upstream speaking `Dialect`: checks or creates the thread, opens the run's
/// event stream and returns a `StreamingRun` that relays it and knows how to stop and poll the run.
final class UpstreamDriver<Dialect: UpstreamDialect>: RunProvider {
    let kind = "openai"
    let configuration: UpstreamConfiguration
    let client: UpstreamHTTPClient
    let dialect: Dialect
    private let logger: Logger
    /// The clock of the abandon deadline and the poll interval.
    private let clock: any Clock<Duration>

    init(configuration: UpstreamConfiguration, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.logger = logger.labelled(Dialect.logLabel)
        self.client = UpstreamHTTPClient(configuration: configuration, logger: self.logger)
        let headers = [("Authorization", "Bearer \(configuration.apiKey ?? "")")] + Dialect.protocolHeaders
        self.dialect = Dialect(calls: UpstreamCalls(configuration: configuration, client: client, headers: headers))
        self.clock = clock
    }

    func rateLimitSnapshot() -> [String: String] { client.rateLimits.snapshot() }

    func startRun(_ request: RunRequest) async throws(UpstreamError) -> any UpstreamRun {
        let started = await UpstreamCalls.$runHeaders.withValue(request.traceHeaders) { () async -> Result<any UpstreamRun, UpstreamError> in
            do throws(UpstreamError) {
                return .success(try await start(request))
            } catch {
                return .failure(error)
            }
        }
        return try started.get()
    }

    private func start(_ request: RunRequest) async throws(UpstreamError) -> any UpstreamRun {
        try dialect.checkConfiguration()
        let context = RunContext(request: request, instructions: configuration.instructions)
        let threadId: String
        let isNew: Bool
        if let existing = request.threadId {
            guard ThreadIdentifier.isWellFormed(existing) else { throw .threadNotFound("malformed \(Dialect.threadNoun) id") }
            threadId = existing
            isNew = false
        } else {
            let created = try await dialect.createThread(context)
            guard ThreadIdentifier.isWellFormed(created) else {
                throw .malformed("the upstream created a \(Dialect.threadNoun) with an unusable id")
            }
            threadId = created
            isNew = true
            if logger.isEnabled(.debug) { logger.debug("upstream \(Dialect.threadNoun) created", [("thread_id", threadId)]) }
        }
        let response = try await dialect.openRunStream(threadId: threadId, context: context)
        return StreamingRun<Dialect.Interpreter>(
            threadId: threadId, isNewThread: isNew, response: response, control: control(threadId: threadId), logger: logger)
    }

    private func control(threadId: String) -> RunControl<Dialect.Interpreter.Polled> {
        let dialect = self.dialect
        return RunControl(
            closeStreamToStop: Dialect.stopsByClosingStream,
            requestCancel: { runId throws(UpstreamError) in try await dialect.cancelRun(runId, threadId: threadId) },
            fetch: { runId throws(UpstreamError) in try await dialect.fetchRun(runId, threadId: threadId) },
            abandonTimeout: configuration.abandonTimeout,
            pollInterval: configuration.pollInterval,
            clock: clock)
    }
}

extension UpstreamDriver: RateLimitSharing {
    var rateLimitStore: RateLimitStore { client.rateLimits }
}
