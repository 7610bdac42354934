// Hostile bodies for POST /v1/query: invalid UTF-8, deeply nested or oversized JSON. Each is refused
// before any upstream call and changes nothing recorded.
import Testing
import TestSupport

/// A body and the status it must get.
struct HostileBody: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var status: Int
    var testDescription: String { "\(name) (\(bytes.count) bytes)" }

    static func json(_ name: String, _ prefix: String, _ middle: [UInt8], _ suffix: String, status: Int = 400) -> HostileBody {
        HostileBody(name: name, bytes: Array(prefix.utf8) + middle + Array(suffix.utf8), status: status)
    }

    static let all: [HostileBody] = [
        .json("invalid UTF-8 in query", #"{"query":""#, [0xFF, 0xFE], #""}"#),
        .json("truncated multi-byte sequence", #"{"query":"caf"#, [0xC3], #""}"#),
        .json("overlong encoding of '/'", #"{"query":"a"#, [0xC0, 0xAF], #""}"#),
        .json("UTF-16 surrogate encoded in UTF-8", #"{"query":"a"#, [0xED, 0xA0, 0x80], #""}"#),
        .json("invalid UTF-8 in an unknown member", #"{"query":"a","x":""#, [0xFF], #""}"#),
        .json("invalid UTF-8 in a repeated member", #"{"query":"a","query":""#, [0xE2], #""}"#),
        .json("bad escape in an unknown member", #"{"query":"a","x":"\y"}"#, [], ""),
        .json("raw control character in an unknown member", #"{"query":"a","x":""#, [0x0F], #""}"#),
        .json("invalid UTF-8 in threadId", #"{"query":"a","threadId":"t"#, [0x80], #""}"#),
        .json("deeply nested arrays in a member", #"{"query":"a","x":"#, Array(String(repeating: "[", count: 20_000).utf8) + Array(String(repeating: "]", count: 20_000).utf8), "}"),
        .json("deeply nested objects", "", Array(String(repeating: #"{"a":"#, count: 10_000).utf8) + Array("1".utf8) + Array(String(repeating: "}", count: 10_000).utf8), ""),
        .json("unterminated deep nesting", #"{"query":"a","x":"#, Array(String(repeating: "[{\"b\":", count: 8_000).utf8), ""),
        .json("top-level array", #"[{"query":"a"}]"#, [], ""),
        .json("query of the wrong type", #"{"query":["a"]}"#, [], ""),
        .json("threadId with a path", #"{"query":"a","threadId":"../../threads/x"}"#, [], ""),
        .json("body over MAX_BODY_BYTES", #"{"query":""#, Array(repeating: UInt8(ascii: "a"), count: 70_000), #""}"#, status: 413),
    ]
}

extension HostileTraffic {
    @Suite struct HostileQueryBodies {
        @Test(arguments: HostileBody.all)
        func isRefusedAndChangesNothing(body: HostileBody) async throws {
            try await HostileApp.with(configure: { $0.maxBodyBytes = 64 * 1024 }) { port in
                let recorded = try await HostileApp.recordBaseline(port: port)
                let baseline = ResidentMemory.trimmedBytes()
                let response = try await sendRequest(port: port, method: "POST", path: "/v1/query", headers: [("Content-Type", "application/json")], body: body.bytes)
                #expect(response.status == body.status, "\(body.name): \(response.status) \(response.text.prefix(200))")
                #expect(response.errorCode != nil, "\(body.name): no JSON error body")
                try await HostileApp.expectQueryServed(port: port)
                let after = try await HostileApp.recordedUsage(port: port)
                // Exactly the one normal query above was added: the refused body changed nothing.
                #expect(after.totals["total_threads"] == 2)
                for (id, figures) in recorded.threads { #expect(after.threads[id] == figures) }
                #expect(ResidentMemory.trimmedBytes() < baseline + ResidentMemory.slack)
            }
        }

        @Test func aChunkedBodyOverTheLimitIsRefusedWith413() async throws {
            try await HostileApp.with(configure: { $0.maxBodyBytes = 64 * 1024 }) { port in
                let recorded = try await HostileApp.recordBaseline(port: port)
                var bytes = Array("POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                let piece = Array(String(repeating: "a", count: 8192).utf8)
                for _ in 0..<10 { bytes += Array("2000\r\n".utf8) + piece + Array("\r\n".utf8) }
                bytes += Array("0\r\n\r\n".utf8)
                let reply = try await exchangeUntilClose(port: port, bytes)
                #expect(statuses(in: reply) == [413])
                try await HostileApp.expectQueryServed(port: port)
                let after = try await HostileApp.recordedUsage(port: port)
                #expect(after.totals["total_threads"] == 2)
                for (id, figures) in recorded.threads { #expect(after.threads[id] == figures) }
            }
        }
    }
}
