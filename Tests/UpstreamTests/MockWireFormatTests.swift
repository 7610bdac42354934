import Foundation
import MockUpstream
import HTTPWire
import JSONText
import Testing
import TestSupport
@testable import Upstream

@Suite("Mock upstream wire format")
struct MockWireFormatTests {
    static func events(_ text: String) throws -> [SSEEvent] {
        var parser = SSEParser()
        return try parser.feed(Array(text.utf8))
    }

    @Test("the Assistants renderer reproduces the recorded run stream byte for byte")
    func assistantsByteForByte() throws {
        let recorded = try Self.events(RecordedFixtures.assistantsRunStream)
        let deltas = try recorded.filter { $0.event == "thread.message.delta" }.map {
            try WireJSON.decode(AssistantsWire.MessageDelta.self, from: $0.data).text
        }
        let facts = MockAssistantsWire.RunFacts(
            runId: "run_tFMIkOX3TiujVMY3DeuHJT0z", threadId: "thread_dB4z9zt6oQzQjaIovFt995j3", assistantId: "asst_test",
            stepId: "step_B2s9bdmbPRH235UZqXGUgnbt", messageId: "msg_1SpFePjMXjPknmCtCJrYZ9LA", model: "gpt-4o-mini",
            instructions: "You are a helpful sales assistant.", createdAt: 1795375441)
        let rendered = MockAssistantsWire.completedStream(facts, deltas: deltas, usage: .init(promptTokens: 62, completionTokens: 49))
        #expect(rendered == RecordedFixtures.assistantsRunStream)
    }

    @Test("the Responses renderer reproduces the recorded stream byte for byte")
    func responsesByteForByte() throws {
        let recorded = try Self.events(RecordedFixtures.responsesStream)
        let deltas = try recorded.filter { $0.event == "response.output_text.delta" }.map { event -> (String, String) in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])
            return (try #require(object["delta"] as? String), try #require(object["obfuscation"] as? String))
        }
        let facts = MockResponsesWire.ResponseFacts(
            responseId: "resp_205e95b867cf3d377fda19ba940b063892893caa585c7056", conversationId: "conv_02891c2bc271546de763dbaeef2efe6f23c6fdef3cd6c4d0",
            messageId: "msg_2bc8ee39e5ad3b537446d3e7aaea8308c019ebb71f905fe0", model: "gpt-4o-mini-2024-07-18", instructions: nil, createdAt: 1795376069)
        var writer = MockResponsesWire.EventWriter(facts: facts)
        var rendered = writer.opening().joined()
        for (text, obfuscation) in deltas { rendered += writer.delta(text, obfuscation: obfuscation) }
        let answer = deltas.map(\.0).joined()
        rendered += writer.closing(text: answer, state: .init(status: "completed", text: answer, usage: .init(inputTokens: 62, outputTokens: 45))).joined()
        #expect(rendered == RecordedFixtures.responsesStream)
    }

    @Test("the conversation object matches the recorded one")
    func conversationObject() {
        let rendered = MockResponsesWire.conversation(id: "conv_02891c2bc271546de763dbaeef2efe6f23c6fdef3cd6c4d0", createdAt: 1795376069, metadata: [("account", "Acme")]).render()
        #expect(rendered + "\n" == RecordedFixtures.responsesConversationCreate)
    }

    @Test("over HTTP the mock sends the recorded content type, rate-limit and version headers and event sequence",
          arguments: [UpstreamConfiguration.API.assistants, .responses])
    func overHTTP(api: UpstreamConfiguration.API) async throws {
        var settings = MockUpstreamSettings()
        let fixture = api == .assistants ? RecordedFixtures.assistantsRunStream : RecordedFixtures.responsesStream
        let recorded = try Self.events(fixture)
        let deltaEvent = api == .assistants ? "thread.message.delta" : "response.output_text.delta"
        settings.deltaCount = recorded.filter { $0.event == deltaEvent }.count
        try await withMock(settings) { mock in
            let client = UpstreamHTTPClient(configuration: testConfiguration(api, baseURL: mock.baseURL), logger: .noop)
            let beta = [("OpenAI-Beta", "assistants=v2")]
            let request: UpstreamHTTPClient.Request
            if api == .assistants {
                let thread = mock.makeThread()
                _ = try await client.json(UpstreamHTTPClient.request("POST", "threads/\(thread)/messages", headers: beta,
                                                                     body: ["role": "user", "content": "What is sales methodology?"] as JSONValue), call: .other, as: IgnoredReply.self)
                request = try UpstreamHTTPClient.request("POST", "threads/\(thread)/runs", headers: beta, body: ["assistant_id": "asst_test", "stream": true] as JSONValue)
            } else {
                let conversation = mock.makeConversation()
                request = try UpstreamHTTPClient.request("POST", "responses", headers: [], body: [
                    "model": "gpt-4o-mini", "conversation": .string(conversation), "stream": true,
                    "input": [["role": "user", "content": "What is sales methodology?"]],
                ] as JSONValue)
            }
            let response = try await client.openEventStream(request, call: .other)
            let headerNames = (api == .assistants ? RecordedFixtures.assistantsRunStreamHeaders : RecordedFixtures.responsesStreamHeaders)
                .map(\.name).filter { $0.hasPrefix("x-ratelimit-") || $0 == "content-type" || $0 == "openai-version" || $0 == "cache-control" }
            for name in headerNames { #expect(response.headers[name] != nil, "missing \(name)") }
            #expect(response.headers["content-type"] == "text/event-stream; charset=utf-8")
            let body = try await response.collect(limit: 1 << 20)
            let events = try Self.events(String(decoding: body, as: UTF8.self))
            #expect(events.map(\.event) == recorded.map(\.event))
            #expect(events.map(\.data.isEmpty) == recorded.map(\.data.isEmpty))
            // Every event's JSON carries the same top-level fields as the recorded one.
            for (mine, theirs) in zip(events, recorded) where !theirs.isDone {
                let a = try #require(try JSONSerialization.jsonObject(with: Data(mine.data.utf8)) as? [String: Any])
                let b = try #require(try JSONSerialization.jsonObject(with: Data(theirs.data.utf8)) as? [String: Any])
                #expect(Set(a.keys) == Set(b.keys), "\(mine.event)")
            }
        }
    }
}
