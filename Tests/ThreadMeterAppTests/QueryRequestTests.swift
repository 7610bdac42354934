import Foundation
import JSONText
import Testing
@testable import ThreadMeterApp

@Suite struct QueryRequestTests {
    func decode(_ json: String, contentType: String? = "application/json") throws(APIError) -> QueryRequest {
        try QueryRequest.decode(contentType: contentType, body: Array(json.utf8))
    }

    func status(_ json: String, contentType: String? = "application/json") -> Int? {
        do {
            _ = try decode(json, contentType: contentType)
            return nil
        } catch {
            return error.status
        }
    }

    @Test func minimalQueryStartsANewStreamedThread() throws {
        let q = try decode(#"{"query":"What is sales methodology?"}"#)
        #expect(q.query == "What is sales methodology?")
        #expect(q.threadId == nil)
        #expect(q.stream == true)
    }

    @Test func emptyThreadIdMeansNewThread() throws {
        #expect(try decode(#"{"query":"q","threadId":""}"#).threadId == nil)
    }

    @Test func allFieldsAreRead() throws {
        let q = try decode(#"{"query":"q","threadId":"thread_abc-1","demand_stage":"Interest","accountName":"Acme","additional_instructions":"be brief","stream":false,"extra":[1,2]}"#)
        #expect(q == QueryRequest(query: "q", threadId: "thread_abc-1", demandStage: "Interest", accountName: "Acme",
                                  additionalInstructions: "be brief", stream: false))
    }

    @Test func invalidInputsAre400() {
        #expect(status("not json") == 400)
        #expect(status("") == 400)
        #expect(status("[]") == 400)
        #expect(status(#""query""#) == 400)
        #expect(status(#"{}"#) == 400)
        #expect(status(#"{"query":""}"#) == 400)
        #expect(status(#"{"query":"   "}"#) == 400)
        #expect(status(#"{"query":42}"#) == 400)
        #expect(status(#"{"query":null}"#) == 400)
        #expect(status(#"{"query":"q","stream":"yes"}"#) == 400)
        #expect(status(#"{"query":"q","stream":1}"#) == 400)
        #expect(status(#"{"query":"q","threadId":7}"#) == 400)
        #expect(status(#"{"query":"q","accountName":{"a":1}}"#) == 400)
    }

    @Test(arguments: ["../etc", "thread abc", "a/b", "thread_%2F", String(repeating: "a", count: 65), "tréad", "a\u{0}b"])
    func threadIdsOutsideTheAllowedPatternAre400(_ id: String) {
        let body = #"{"query":"q","threadId":"# + LogLineFormatterShim.quote(id) + "}"
        #expect(status(body) == 400)
    }

    @Test func sixtyFourCharacterThreadIdIsAccepted() throws {
        let id = String(repeating: "a", count: 64)
        #expect(try decode(#"{"query":"q","threadId":""# + id + #""}"#).threadId == id)
    }

    @Test func repeatedFieldsAreRefusedBecauseReadersDisagreeOnWhichWins() {
        #expect(status(#"{"query":"a","threadId":"x","threadId":"y"}"#) == 400)
        #expect(status(#"{"query":"a","que\u0072y":"b"}"#) == 400, "an escaped spelling is the same name")
        #expect(status(#"{"query":"a", "extra": 1 , "extra" :2}"#) == 400)
        #expect(status(#"{"query":"a","x":{"threadId":1,"threadId":2},"y":["threadId","threadId"]}"#) == nil, "only the top level matters")
        #expect(status(#"{"query":"q\"threadId\":","threadId":"t"}"#) == nil, "names inside strings are not members")
    }

    @Test func nonJSONContentTypeIs415() {
        #expect(status(#"{"query":"q"}"#, contentType: "text/plain") == 415)
        #expect(status(#"{"query":"q"}"#, contentType: "application/x-www-form-urlencoded") == 415)
        #expect(status(#"{"query":"q"}"#, contentType: "application/json; charset=utf-8") == nil)
        #expect(status(#"{"query":"q"}"#, contentType: nil) == nil)
    }

    @Test func invalidUTF8AndDeepNestingAreRejectedNotCrashing() {
        var bytes = Array(#"{"query":""#.utf8)
        bytes += [0xff, 0xfe, 0xc3]
        bytes += Array(#""}"#.utf8)
        #expect(throws: APIError.self) { try QueryRequest.decode(contentType: "application/json", body: bytes) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(status(#"{"query":"q","x":"# + deep + "}") == 400 || status(#"{"query":"q","x":"# + deep + "}") == nil)
    }

    @Test func whitespaceOnlyQueriesAre400AsFoundationTrimsThem() throws {
        #expect(status(#"{"query":"\t\n\r\u000b\u000c "}"#) == 400)
        #expect(status(#"{"query":"\u00a0\u2003\u2028\u3000\u0085"}"#) == 400)
        #expect(try decode(#"{"query":"  q  "}"#).query == "  q  ", "the text itself is kept as sent")
        #expect(status(#"{"query":"q"}"#, contentType: " \tApplication/JSON \t; charset=utf-8") == nil)
        #expect(status(#"{"query":"q"}"#, contentType: "\u{3000}application/problem+json") == nil)
        #expect(status(#"{"query":"q"}"#, contentType: "application/json\n") == 415, "a newline is not trimmed from the media type")
    }

    /// The byte-level scans answer exactly what `trimmingCharacters(in:)` answers.
    @Test func textScanAgreesWithFoundation() {
        var scalars = (0..<0x3100).compactMap(Unicode.Scalar.init)
        scalars += [0xFEFF, 0xFFFD, 0x1F600, 0xE0020].compactMap(Unicode.Scalar.init)
        for scalar in scalars {
            let text = String(scalar)
            #expect(TextScan.hasNonWhitespace(text) == !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "U+\(String(scalar.value, radix: 16))")
            let padded = text + "a" + text
            #expect(TextScan.trimmingWhitespace(Substring(padded)) == padded.trimmingCharacters(in: .whitespaces), "U+\(String(scalar.value, radix: 16))")
        }
        for text in ["", " ", " a ", "\t a b \t", "a\u{301} ", " \u{301}a", "\u{2003}x\u{2003}"] {
            #expect(TextScan.trimmingWhitespace(Substring(text)) == text.trimmingCharacters(in: .whitespaces))
            #expect(TextScan.hasNonWhitespace(text) == !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        }
    }
}

/// JSON-quotes a string for building test bodies.
enum LogLineFormatterShim {
    static func quote(_ s: String) -> String { JSONValue.string(s).serialized() }
}
