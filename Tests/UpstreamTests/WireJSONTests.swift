import Testing
@testable import Upstream

/// Upstream JSON is read with the project's own reader: shapes, strictness and the error wording.
@Suite struct WireJSONTests {
    func message(_ text: String, as type: (some WireReadable).Type) -> String? {
        do {
            _ = try WireJSON.decode(type, from: text, what: "event")
            return nil
        } catch {
            guard case .malformed(let message) = error else { return "not malformed: \(error)" }
            return message
        }
    }

    @Test func aRunIsReadWithItsUsageAndErrorAndOtherMembersSkipped() throws {
        let run = try WireJSON.decode(AssistantsWire.Run.self, from: #"""
            {"id":"run_1","object":"thread.run","status":"failed","model":"gpt-4o","tools":[{"type":"file_search"}],
             "instructions":"be \"brief\"\n","usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10},
             "last_error":{"code":"rate_limit_exceeded","message":"slow down"},"incomplete_details":null,"metadata":{}}
            """#)
        #expect(run.id == "run_1")
        #expect(run.status == "failed")
        #expect(run.model == "gpt-4o")
        #expect(run.usage?.tokenUsage.inputTokens == 9)
        #expect(run.usage?.tokenUsage.outputTokens == 1)
        #expect(run.failureMessage == "rate_limit_exceeded: slow down")
    }

    @Test func messageDeltaTextJoinsTextPartsOnly() throws {
        let delta = try WireJSON.decode(AssistantsWire.MessageDelta.self, from: #"""
            {"id":"msg","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"Hel","annotations":[]}},
             {"index":1,"type":"image_file","image_file":{"file_id":"f"}},{"index":2,"text":{"value":"lo"}}]}}
            """#)
        #expect(delta.text == "Hello")
    }

    @Test func responsesUsageKeepsCachedAndReasoningTokens() throws {
        let event = try WireJSON.decode(ResponsesWire.ResponseEvent.self, from: #"""
            {"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[{"type":"message"}],
             "usage":{"input_tokens":30,"output_tokens":7,"total_tokens":37,"input_tokens_details":{"cached_tokens":4},
             "output_tokens_details":{"reasoning_tokens":2}}},"sequence_number":40}
            """#)
        let usage = try #require(event.response.usage?.tokenUsage)
        #expect(usage.inputTokens == 30)
        #expect(usage.outputTokens == 7)
        #expect(usage.cachedInputTokens == 4)
        #expect(usage.reasoningTokens == 2)
    }

    @Test func shapeErrorsNameTheField() {
        #expect(message(#"{"delta":{}}"#, as: ResponsesWire.TextDelta.self) == "invalid JSON in event: wrong type at delta")
        #expect(message(#"{"type":"x"}"#, as: ResponsesWire.TextDelta.self) == #"invalid JSON in event: missing field "delta""#)
        #expect(message(#"{"id":null}"#, as: AssistantsWire.Run.self) == "invalid JSON in event: null at id")
        #expect(message(#"{"id":"r","usage":{"prompt_tokens":1.5,"completion_tokens":1}}"#, as: AssistantsWire.Run.self)
            == "invalid JSON in event: wrong type at usage.prompt_tokens")
        #expect(message(#"{"delta":{"content":[{"text":{"value":3}}]}}"#, as: AssistantsWire.MessageDelta.self)
            == "invalid JSON in event: wrong type at delta.content.0.text.value")
    }

    @Test(arguments: [
        #"{"delta":"a""#, #"{"delta":"a"} x"#, #"{"delta":"a","delta":"b"}"#, #"["delta"]"#, #"{"skipped":[1,],"delta":"a"}"#,
        #"{"skipped":"\x","delta":"a"}"#, "", "{\"skipped\":\"a\u{1}\",\"delta\":\"a\"}",
    ])
    func textThatIsNotStrictJSONIsMalformed(_ text: String) {
        #expect(message(text, as: ResponsesWire.TextDelta.self)?.hasPrefix("invalid JSON in event: ") == true, "\(text.debugDescription)")
    }

    @Test func requestBodiesAreWrittenWithStableMemberOrder() {
        let body = AssistantsWire.RunCreate(assistantId: "asst_1", stream: true, additionalInstructions: nil, metadata: ["b": "2", "a": "1"])
        #expect(String(decoding: body.wireJSON.bytes, as: UTF8.self) == #"{"assistant_id":"asst_1","stream":true,"metadata":{"a":"1","b":"2"}}"#)
        let create = ResponsesWire.ResponseCreate(model: "m", conversation: "conv", input: [RoleMessage(role: "user", content: "say \"hi\"")],
                                                  instructions: "x", stream: true, metadata: [:])
        #expect(String(decoding: create.wireJSON.bytes, as: UTF8.self)
            == #"{"model":"m","conversation":"conv","input":[{"role":"user","content":"say \"hi\""}],"instructions":"x","stream":true,"metadata":{}}"#)
    }
}
