// Picks the upstream the configuration asks for.
import Telemetry

/// The upstream to use: the simulated assistant when `config` or its `apiKey` is nil (or empty),
/// else an `AssistantsUpstream` or `ResponsesUpstream` per `config.api`. Call
/// `UpstreamConfiguration.validate()` first; a real upstream without `ASSISTANT_ID` / `OPENAI_MODEL`
/// fails every run.
public func makeUpstream(_ config: UpstreamConfiguration?, logger: Logger) -> any AssistantUpstream {
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
    case .assistants: return AssistantsUpstream(configuration: config, logger: logger)
    case .responses: return ResponsesUpstream(configuration: config, logger: logger)
    }
}
