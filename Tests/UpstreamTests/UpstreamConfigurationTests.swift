import Foundation
import Telemetry
import Testing
@testable import Upstream

@Suite("Upstream configuration and factory")
struct UpstreamConfigurationTests {
    @Test("no key is valid and selects the simulated assistant")
    func simulatedDefault() {
        let config = UpstreamConfiguration(apiKey: nil)
        #expect(config.validate() == nil)
        #expect(makeUpstream(config, logger: .noop).kind == "simulated")
        #expect(makeUpstream(nil, logger: .noop).kind == "simulated")
    }

    @Test("a key selects the real upstream of the configured API")
    func realUpstreams() {
        let assistants = makeUpstream(UpstreamConfiguration(apiKey: "sk-test", api: .assistants, assistantId: "asst_1"), logger: .noop)
        #expect(assistants is UpstreamDriver<AssistantsDialect>)
        #expect(assistants.kind == "openai")
        let responses = makeUpstream(UpstreamConfiguration(apiKey: "sk-test", api: .responses, model: "gpt-4o-mini"), logger: .noop)
        #expect(responses is UpstreamDriver<ResponsesDialect>)
    }

    @Test("missing ASSISTANT_ID with assistants is a one-line error")
    func missingAssistantId() throws {
        let message = try #require(UpstreamConfiguration(apiKey: "sk", api: .assistants).validate())
        #expect(message.contains("ASSISTANT_ID"))
        #expect(!message.contains("\n"))
    }

    @Test("missing OPENAI_MODEL with responses is a one-line error")
    func missingModel() throws {
        let message = try #require(UpstreamConfiguration(apiKey: "sk", api: .responses).validate())
        #expect(message.contains("OPENAI_MODEL"))
    }

    @Test("a base URL must be http(s) with a host", arguments: ["ftp://example.com/v1", "file:///tmp/x", "http://", "localhost:8080"])
    func malformedBaseURL(text: String) throws {
        #expect(UpstreamConfiguration.parseBaseURL(text) == nil)
        if let url = URL(string: text) {
            let message = try #require(UpstreamConfiguration(apiKey: "sk", baseURL: url, api: .responses, model: "m").validate())
            #expect(message.contains("OPENAI_BASE_URL"))
        }
    }

    @Test("good base URLs parse", arguments: ["https://api.openai.com/v1", "http://127.0.0.1:9000/v1"])
    func goodBaseURL(text: String) {
        #expect(UpstreamConfiguration.parseBaseURL(text)?.absoluteString == text)
    }
}

@Suite("Run context")
struct RunContextTests {
    @Test("context lines and additional instructions are newline-joined; metadata carries string values")
    func full() {
        let context = RunContext(request: RunRequest(threadId: nil, query: "Q", demandStage: "Interest", accountName: "Acme", additionalInstructions: "Be brief."), instructions: "You sell.")
        #expect(context.additionalInstructions == "demand_stage: Interest\naccountName: Acme\nBe brief.")
        #expect(context.responsesInstructions == "You sell.\ndemand_stage: Interest\naccountName: Acme\nBe brief.")
        #expect(context.metadata == ["demand_stage": "Interest", "account": "Acme"])
    }

    @Test("nothing to say means no instructions and empty metadata")
    func empty() {
        let context = RunContext(request: RunRequest(threadId: nil, query: "Q", demandStage: "", accountName: nil), instructions: nil)
        #expect(context.additionalInstructions == nil)
        #expect(context.responsesInstructions == nil)
        #expect(context.metadata.isEmpty)
    }

    @Test("metadata values are cut to 512 characters")
    func clipped() {
        let context = RunContext(request: RunRequest(threadId: nil, query: "Q", accountName: String(repeating: "a", count: 600)), instructions: nil)
        #expect(context.metadata["account"]?.count == 512)
    }
}

@Suite("Upstream status mapping")
struct UpstreamStatusMappingTests {
    static func body(_ message: String, param: String? = nil) -> Data {
        Data(#"{"error": {"message": "\#(message)", "type": "invalid_request_error", "param": \#(param.map { "\"\($0)\"" } ?? "null"), "code": null}}"#.utf8)
    }

    @Test("401 and 403 are unauthorized and the message names the key")
    func unauthorized() {
        for status in [401, 403] {
            let error = UpstreamStatusMapping.error(status: status, headers: [:], body: Self.body("Incorrect API key provided"), call: .create)
            #expect(error == .unauthorized("HTTP \(status): Incorrect API key provided"))
            #expect(error.message.contains("OPENAI_API_KEY"))
            #expect(error.httpStatus == 502)
        }
    }

    @Test("429 carries Retry-After")
    func rateLimited() {
        let error = UpstreamStatusMapping.error(status: 429, headers: ["retry-after": "7"], body: Self.body("Rate limit reached"), call: .assistantsThread)
        #expect(error == .rateLimited(retryAfter: "7", message: "Rate limit reached"))
        #expect(error.httpStatus == 429)
    }

    @Test("404 on a thread path is thread-not-found, unless it is about the assistant")
    func notFound() {
        #expect(UpstreamStatusMapping.error(status: 404, headers: [:], body: Self.body("No thread found with id 'thread_x'."), call: .assistantsThread).httpStatus == 404)
        #expect(UpstreamStatusMapping.error(status: 404, headers: [:], body: Self.body("No assistant found with id 'asst_x'."), call: .assistantsThread) == .badStatus(404, "No assistant found with id 'asst_x'."))
        #expect(UpstreamStatusMapping.error(status: 404, headers: [:], body: Self.body("Not found"), call: .create).httpStatus == 502)
    }

    @Test("a 400 naming the conversation is thread-not-found with the Responses API")
    func conversation400() {
        #expect(UpstreamStatusMapping.error(status: 400, headers: [:], body: Self.body("Conversation with id 'conv_x' not found."), call: .responsesRun).httpStatus == 404)
        #expect(UpstreamStatusMapping.error(status: 400, headers: [:], body: Self.body("Invalid value", param: "conversation"), call: .responsesRun).httpStatus == 404)
        #expect(UpstreamStatusMapping.error(status: 400, headers: [:], body: Self.body("Invalid model"), call: .responsesRun) == .badStatus(400, "Invalid model"))
    }

    @Test("5xx is a bad status with the upstream message, or the start of a non-JSON body")
    func serverErrors() {
        #expect(UpstreamStatusMapping.error(status: 500, headers: [:], body: Self.body("The server had an error"), call: .other) == .badStatus(500, "The server had an error"))
        #expect(UpstreamStatusMapping.error(status: 502, headers: [:], body: Data("<html>Bad gateway</html>".utf8), call: .other) == .badStatus(502, "<html>Bad gateway</html>"))
    }
}
