import JSONText
import Testing

@Suite struct JSONReaderTests {
    func refusal(_ text: String, options: JSONReader.Options = .init()) -> JSONReadError.Reason? {
        do {
            _ = try JSONReader.read(text, options: options)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func membersKeepTheirOrderAndNumbersTheirKind() throws {
        let value = try JSONReader.read(#" {"b": 1, "a": [true, null, -2.5e1, "x"], "c": {}} "#)
        #expect(value.members?.map(\.0) == ["b", "a", "c"])
        #expect(value == ["b": 1, "a": [true, nil, -25.0, "x"], "c": [:]])
        #expect(value["b"]?.intValue == 1)
        #expect(value["a"]?[2]?.doubleValue == -25)
        #expect(value["missing"] == nil)
    }

    @Test func escapesAndSurrogatePairsAreDecoded() throws {
        #expect(try JSONReader.read(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("a\"\\/\u{8}\u{C}\n\r\té😀"))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", ".5", "-", "1e", "+1", "NaN", "tru", "nul",
        "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\u{1}b\"", "1 2", "[1] x", "\u{FEFF}{}", "1e400",
        "{\"a\" 1}", "{1:2}", "/* c */ 1",
    ])
    func textThatIsNotJSONIsRefused(_ text: String) {
        #expect(refusal(text) != nil, "\(text.debugDescription)")
    }

    @Test func invalidUTF8InAStringIsRefused() {
        #expect(throws: JSONReadError.self) { try JSONReader.read([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONReadError.self) { try JSONReader.read([0x22, 0xC3, 0x22]) }
    }

    @Test func aRepeatedMemberIsRefusedAsItIsRead() {
        #expect(refusal(#"{"a":1,"a":2}"#) == .duplicateKey("a"))
        #expect(refusal(#"{"a":1,"\u0061":2}"#) == .duplicateKey("a"), "an escaped spelling is the same name")
        #expect(refusal(#"{"x":{"a":1,"a":2}}"#) == .duplicateKey("a"))
        let topLevel = JSONReader.Options(duplicateKeys: .refusedAtTopLevel)
        #expect(refusal(#"{"x":{"a":1,"a":2}}"#, options: topLevel) == nil)
        #expect(refusal(#"{"a":1,"a":2}"#, options: topLevel) == .duplicateKey("a"))
    }

    @Test func nestingBeyondTheLimitIsRefusedWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(refusal(deep) == .tooDeep(limit: 512))
        let options = JSONReader.Options(maxDepth: 3)
        #expect(refusal("[[[1]]]", options: options) == nil)
        #expect(refusal("[[[[1]]]]", options: options) == .tooDeep(limit: 3))
    }

    @Test func integersBeyondIntBecomeDoubles() throws {
        #expect(try JSONReader.read("9223372036854775807") == .int(Int.max))
        #expect(try JSONReader.read("92233720368547758070") == .double(92233720368547758070))
        #expect(try JSONReader.read("-0") == .int(0))
    }

    @Test func writtenTextReadsBackToTheSameValue() throws {
        let value: JSONValue = ["s": "line\nbreak \"q\" \u{1}", "n": [1, 0.5, 1706745600.0], "o": ["k": nil, "t": true]]
        #expect(try JSONReader.read(value.serialized()) == value)
    }
}
