import Testing
@testable import threadmeter_load

@Suite struct JSONReaderTests {
    @Test func readsTheServiceEventShapes() throws {
        let value = try JSONReader.parse(#"{"type":"stream_complete","run_usage":{"input_tokens":89,"output_tokens":67,"total_tokens":156},"estimated_cost_usd":5.3e-05,"model":null,"ok":true,"s":"\u00e9\ud83d\ude00"}"#)
        #expect(UsageFigures(json: value["run_usage"]) == UsageFigures(input: 89, output: 67, total: 156))
        #expect(value["estimated_cost_usd"]?.number == 5.3e-05)
        #expect(value["model"]?.isNull == true)
        #expect(value["ok"]?.bool == true)
        #expect(value["s"]?.string == "é😀")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":01}", "\"\\x\"", "tru", "{} {}", "\"\u{01}\""])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.parse(text) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.parse(deep) }
    }
}
