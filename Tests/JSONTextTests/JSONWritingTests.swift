import JSONText
import Testing

@Suite struct JSONWritingTests {
    @Test func valuesAreWrittenOnOneLineInMemberOrder() {
        let value = JSONValue.object([("b", .string("x\ny\"z")), ("a", .array([.int(1), .double(0.5), .null, .bool(true)]))])
        #expect(value.serialized() == #"{"b":"x\ny\"z","a":[1,0.5,null,true]}"#)
    }

    @Test func controlCharactersAreEscapedAsRFC8259Requires() {
        #expect(JSONValue.quoted("a\u{1}b\u{1F}\t\u{8}\u{C}\\") == #""a\u0001b\u001f\t\b\f\\""#)
        #expect(JSONValue.quoted("plain é") == "\"plain é\"")
    }

    @Test func doublesUsePlainDecimalsAndNonFiniteBecomesNull() {
        #expect(JSONValue.double(1706745600).serialized() == "1706745600.0")
        #expect(JSONValue.double(2.955e-05).serialized() == "0.00002955")
        #expect(JSONValue.double(-1.5e-7).serialized() == "-0.00000015")
        #expect(JSONValue.double(1.5e20).serialized() == "150000000000000000000.0")
        #expect(JSONValue.double(0.000053).serialized() == "0.000053")
        #expect(JSONValue.double(.infinity).serialized() == "null")
        #expect(JSONValue.double(.nan).serialized() == "null")
    }
}
