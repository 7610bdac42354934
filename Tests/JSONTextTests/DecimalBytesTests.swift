import JSONText
import Testing

@Suite struct DecimalBytesTests {
    func text(_ write: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        write(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [0, 7, -7, 10, 123_456_789, -1_000_000, Int.max, Int.min])
    func integersMatchTheirDescription(_ n: Int) {
        #expect(text { DecimalBytes.append(n, to: &$0) } == String(n))
    }

    @Test func fixedPointKeepsExactlyThePlacesAsked() {
        #expect(text { DecimalBytes.append(fixed: 125, places: 2, to: &$0) } == "1.25")
        #expect(text { DecimalBytes.append(fixed: 5, places: 2, to: &$0) } == "0.05")
        #expect(text { DecimalBytes.append(fixed: -1205, places: 2, to: &$0) } == "-12.05")
        #expect(text { DecimalBytes.append(fixed: 42, places: 0, to: &$0) } == "42")
    }

    /// `/health`'s timestamp: the same text `JSONValue.format` gives the double of `millis / 1000`.
    @Test(arguments: [1_764_766_845_123, 1_764_766_845_120, 1_764_766_845_100, 1_764_766_845_000, 1_764_766_845_001, 0, 999])
    func shortestFixedMatchesTheDoubleFormat(_ millis: Int) {
        #expect(text { DecimalBytes.append(shortestFixed: millis, places: 3, to: &$0) } == JSONValue.format(Double(millis) / 1000))
    }

    @Test func theByteWriterWritesTheSameTextAsTheStringWriter() {
        let value: JSONValue = [
            "s": "plain", "e": "quote \" backslash \\ newline \n tab \t nul \u{0} é 😀", "i": -42, "d": 0.00002955, "big": 1.5e20,
            "t": 1706745600.0, "b": true, "n": nil, "a": [1, "x", [:], []], "o": ["k": ["deep": false]],
        ]
        #expect(String(decoding: value.bytes, as: UTF8.self) == value.serialized())
        var out: [UInt8] = []
        JSONValue.quote("a\"b", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == JSONValue.quoted("a\"b"))
    }
}
