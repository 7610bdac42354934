import Foundation
import Testing
@testable import Telemetry

/// The sink formats text lines straight into bytes; they must be the `format(_:as: .text)` lines.
@Suite struct LogLineBytesTests {
    @Test(arguments: [
        [("request_id", "1q1a-59"), ("status", "200"), ("duration_ms", "1.25"), ("thread_id", "-")],
        [("empty", ""), ("space", "a b"), ("quote", "say \"hi\""), ("eq", "a=b"), ("newline", "x\ny"), ("uni", "café ✓"), ("nbsp", "a\u{A0}b")],
        [],
    ])
    func bytesMatchTheTextFormat(_ metadata: [(String, String)]) {
        let record = LogRecord(time: Date(timeIntervalSince1970: 1_764_766_845.123), level: .info, label: "access",
                               message: "GET /health 200", metadata: metadata)
        var bytes: [UInt8] = []
        LogLineFormatter.appendText(record, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == LogLineFormatter.format(record, as: .text))
    }
}
