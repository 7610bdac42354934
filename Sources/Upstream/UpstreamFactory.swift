// Picks the upstream the configuration asks for.
import Telemetry

/// The upstream to use: the simulated assistant when `config` or its `apiKey` is nil (or empty),
/// else an `UpstreamDriver` over the dialect `config.api` names. Call
/// `UpstreamConfiguration.validate()` first; a real upstream without `ASSISTANT_ID` / `OPENAI_MODEL`
/// fails every run.
public func makeUpstream(_ config: UpstreamConfiguration?, logger: Logger) -> any RunProvider {
    guard let config, let key = config.apiKey, !key.isEmpty else {
        var options = SimulatedAssistant.Options()
        if let config {
            options.delay = config.simulatedDelay
            options.seed = config.simulatedSeed
            if let instructions = config.instructions { options.instructions = instructions }
        }
        return SimulatedAssistant(options: options, logger: logger)
    }
    switch config.api {
    case .assistants: return UpstreamDriver<AssistantsDialect>(configuration: config, logger: logger)
    case .responses: return UpstreamDriver<ResponsesDialect>(configuration: config, logger: logger)
    }
}
