// Inputs the libFuzzer targets (LoadTests/Fuzz) found, replayed against the API they broke.
import Testing
import ThreadMeterApp

@Suite struct FuzzRegressionTests {
    /// json-query findings: JSONDecoder skipped these members without checking them, so the bodies
    /// (not JSON per RFC 8259) were accepted and ran a query. Now 400.
    @Test(arguments: [
        // crash-8a9f0b68…: invalid UTF-8 in a repeated key's value.
        [0x7B, 0x22, 0x71, 0x75, 0x65, 0x72, 0x79, 0x22, 0x3A, 0x22, 0x61, 0x22, 0x2C, 0x22, 0x71, 0x75, 0x65, 0x72, 0x79, 0x22, 0x3A, 0x22, 0xE2, 0x22, 0x7D],
        // crash-6f549e13…: a raw control character (0x0F) in an unknown member's string.
        Array(#"{"query":"q","t#hreadId":"..\#u{0F}.e/.tc"}"#.utf8),
        // crash-fd6e9074…: an invalid escape (`\y`) in an unknown member's string.
        Array(#"{"query":"q","threadEEId":"thr[[[[EE\\\\\\\\\\\\\\\\\\\yy"}"#.utf8),
    ] as [[UInt8]])
    func queryBodiesThatAreNotJSONAreRefused(body: [UInt8]) {
        let error = #expect(throws: APIError.self) {
            _ = try QueryRequest.decode(contentType: "application/json", body: body)
        }
        #expect(error?.status == 400)
        #expect(error?.code == .invalidRequest)
    }
}
