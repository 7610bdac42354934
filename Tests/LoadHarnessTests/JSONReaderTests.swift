import JSONText
import Testing
@testable import threadmeter_load

/// The harness reads the service's and the upstream's JSON with the `JSONText` module.
@Suite struct JSONReaderTests {
    @Test func readsTheServiceEventShapes() throws {
        let value = try JSONReader.read(#"{"type":"stream_complete","run_usage":{"input_tokens":89,"output_tokens":67,"total_tokens":156},"estimated_cost_usd":5.3e-05,"model":null,"ok":true,"s":"\u00e9\ud83d\ude00"}"#)
        #expect(UsageFigures(json: value["run_usage"]) == UsageFigures(input: 89, output: 67, total: 156))
        #expect(UsageFigures(upstreamJSON: try JSONReader.read(#"{"prompt_tokens":3,"completion_tokens":4}"#)) == UsageFigures(input: 3, output: 4, total: 7))
        #expect(value["estimated_cost_usd"]?.doubleValue == 5.3e-05)
        #expect(value["model"]?.isNull == true)
        #expect(value["ok"]?.boolValue == true)
        #expect(value["s"]?.stringValue == "é😀")
    }

    @Test func theReportWritesJSONText() throws {
        let line = "{\"s\":\(ReportJSON.string("a\"b\n")),\"n\":\(ReportJSON.number(2)),\"x\":\(ReportJSON.number(0.5)),\"inf\":\(ReportJSON.number(.infinity))}"
        let value = try JSONReader.read(line)
        #expect(value["s"]?.stringValue == "a\"b\n")
        #expect(value["n"]?.intValue == 2)
        #expect(value["x"]?.doubleValue == 0.5)
        #expect(value["inf"]?.isNull == true)
    }
}
