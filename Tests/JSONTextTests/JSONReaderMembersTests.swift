import JSONText
import Testing

@Suite struct JSONReaderMembersTests {
    static let delta = #"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi \u00e9\n","logprobs":[],"obfuscation":"x","sequence_number":12345678901234567890}"#

    @Test func onlyTheNamedMembersAreBuiltInTheOrderAsked() throws {
        let found = try JSONReader.readMembers(Array(Self.delta.utf8), named: ["delta", "type", "missing"])
        #expect(found.count == 3)
        #expect(found[0] == .string("Hi é\n"))
        #expect(found[1] == .string("response.output_text.delta"))
        #expect(found[2] == nil)
    }

    @Test func theBuiltValuesEqualTheFullReadersOnNestedMembers() throws {
        let text = #"{"id":"msg","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"Hello","annotations":[]}}]}}"#
        let full = try JSONReader.read(text)
        let found = try JSONReader.readMembers(Array(text.utf8), named: ["delta", "id"])
        #expect(found[0] == full["delta"])
        #expect(found[1] == full["id"])
    }

    /// Every text the full reader refuses is refused, whether the bad part is in a built or a skipped member.
    @Test(arguments: [
        "", "[]", "1", "\"s\"", "{", "{\"a\":1,}", "{\"a\" 1}", "{1:2}", "{\"a\":1} x", "{\"a\":1,\"a\":2}",
        "{\"skip\":[1,]}", "{\"skip\":{\"x\":}}", "{\"skip\":\"\\x\"}", "{\"skip\":\"\\ud800\"}", "{\"skip\":\"a\u{1}b\"}",
        "{\"skip\":1e400}", "{\"skip\":01}", "{\"skip\":-}", "{\"skip\":tru}", "{\"skip\":nul}", "{\"skip\":\"abc}",
        "{\"skip\":{\"k\":1,\"k\":2}}", "{\"delta\":[1,]}", "{\"skip\":123456789012345678901234567890e999}",
    ])
    func textTheFullReaderRefusesIsRefused(_ text: String) {
        #expect(throws: JSONReadError.self, "\(text.debugDescription)") {
            _ = try JSONReader.readMembers(Array(text.utf8), named: ["delta"])
        }
    }

    @Test func invalidUTF8InASkippedStringIsRefused() {
        for bad: [UInt8] in [[0xFF], [0xC3], [0xC3, 0x5C, 0x6E, 0xA9], [0xED, 0xA0, 0x80]] {
            let text = Array(#"{"skip":""#.utf8) + bad + Array(#""}"#.utf8)
            #expect(throws: JSONReadError.self) { _ = try JSONReader.readMembers(text, named: ["delta"]) }
            #expect(throws: JSONReadError.self) { _ = try JSONReader.read(text) }
        }
        let fine = Array(#"{"skip":"é\u00e9😀","delta":"ok"}"#.utf8)
        #expect((try? JSONReader.readMembers(fine, named: ["delta"]))?.first == .string("ok"))
    }

    @Test func nestingIsLimitedInSkippedMembersToo() {
        let deep = "{\"skip\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(throws: JSONReadError.self) { _ = try JSONReader.readMembers(Array(deep.utf8), named: ["delta"]) }
        let fits = "{\"skip\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect((try? JSONReader.readMembers(Array(fits.utf8), named: ["delta"])) != nil)
    }

    @Test func duplicatesBelowTheTopLevelAreKeptWhenOnlyTheTopLevelRefusesThem() throws {
        let text = #"{"skip":{"k":1,"k":2},"delta":{"k":1,"k":2}}"#
        let found = try JSONReader.readMembers(Array(text.utf8), named: ["delta"], options: .init(duplicateKeys: .refusedAtTopLevel))
        #expect(found[0] == ["k": 1, "k": 2])
    }

    @Test func stringsWithAndWithoutEscapesReadTheSame() throws {
        #expect(try JSONReader.read(#"["plain","with \"q\"","caf\u00e9","café", ""]"#) == ["plain", "with \"q\"", "café", "café", ""])
        #expect(try JSONReader.read("[-0, 123456789012345678, -123456789012345678, 9223372036854775807, 9223372036854775808]")
            == [0, 123456789012345678, -123456789012345678, .int(Int.max), .double(9223372036854775808)])
    }

    /// Names are compared as `read` compares them whether they are written plainly or with escapes.
    @Test func escapedNamesMatchAndRepeatPlainOnes() throws {
        let found = try JSONReader.readMembers(Array(#"{"\u0064elta":"x","type":"t"}"#.utf8), named: ["delta", "type"])
        #expect(found == [.string("x"), .string("t")])
        for text in [#"{"delta":1,"\u0064elta":2}"#, #"{"\u0064elta":1,"delta":2}"#, #"{"K":1,"\u212A":2}"#, #"{"é":1,"e\u0301":2}"#] {
            #expect(throws: JSONReadError.self, "\(text)") { _ = try JSONReader.readMembers(Array(text.utf8), named: ["delta"]) }
            #expect(throws: JSONReadError.self, "\(text)") { _ = try JSONReader.read(text) }
        }
    }
}
