// Garbage, oversized heads and pipelined junk: refused, the connection closed, the server unharmed.
import Testing
import TestSupport

/// Sends `bytes` on a new connection and reads until the server closes it.
func exchangeUntilClose(port: Int, _ bytes: [UInt8], timeout: Duration = .seconds(3)) async throws -> String {
    let connection = try TestConnection(port: port)
    defer { connection.close() }
    // The server may refuse before reading everything, so a failed send is not an error here.
    try? await connection.send(bytes)
    let reply = try await connection.readUntilClose(timeout: timeout)
    return String(decoding: reply, as: UTF8.self)
}

/// Status codes of every response in `reply`, in order.
func statuses(in reply: String) -> [Int] {
    reply.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
}

/// Cheap deterministic noise (xorshift64).
enum NoiseBytes {
    static func make(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }
}

/// A request head of about 100 KB, in three shapes.
struct OversizedHead: Sendable, CustomTestStringConvertible {
    var shape: String
    var request: String
    var testDescription: String { "\(shape) (\(request.utf8.count) bytes)" }

    static let all: [OversizedHead] = [
        .init(shape: "one header field", request: "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n"),
        .init(shape: "request line", request: "GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: x\r\n\r\n"),
        .init(shape: "many fields", request: "GET /health HTTP/1.1\r\nHost: x\r\n\(String(repeating: "X-A: b\r\n", count: 12_500))\r\n"),
    ]
}

extension HostileTraffic {
    @Suite struct MalformedRequests {
        @Test func pipelinedGarbageAfterARequestGetsTheAnswerThenA400AndAClose() async throws {
            try await HostileServer.with { server, log in
                var bytes = Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                bytes += [0x01, 0x02, 0xFF, 0x00] + Array("\r\n\r\nNOT HTTP AT ALL\r\n\r\n".utf8)
                bytes += NoiseBytes.make(count: 32_768, seed: 1)
                let reply = try await exchangeUntilClose(port: server.port, bytes)
                #expect(statuses(in: reply) == [200, 400])
                #expect(log.seenPaths == ["/health"])
                try await HostileServer.expectServed(port: server.port)
            }
        }

        @Test func aMegabyteOfRandomBytesIsRefused() async throws {
            try await HostileServer.with { server, log in
                let baseline = ResidentMemory.trimmedBytes()
                let junk = NoiseBytes.make(count: 1_048_576, seed: 2)
                let reply = try await exchangeUntilClose(port: server.port, junk)
                #expect(statuses(in: reply).allSatisfy { $0 == 400 || $0 == 431 })
                #expect(log.seenPaths.isEmpty)
                try await HostileServer.expectServed(port: server.port)
                #expect(ResidentMemory.trimmedBytes() < baseline + ResidentMemory.slack)
            }
        }

        @Test(arguments: OversizedHead.all)
        func hundredKilobyteHeadsAreRefusedWith431OrAClose(head: OversizedHead) async throws {
            try await HostileServer.with { server, log in
                let reply = try await exchangeUntilClose(port: server.port, Array(head.request.utf8))
                let codes = statuses(in: reply)
                #expect(codes.isEmpty || codes == [431], "\(head.shape): \(codes)")
                #expect(log.seenPaths.isEmpty)
                try await HostileServer.expectServed(port: server.port)
            }
        }
    }
}
