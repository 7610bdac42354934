// Slowloris: many connections that trickle a request head and never finish it.
import Foundation
import Testing
import TestSupport

extension HostileTraffic {
    @Suite struct Slowloris {
        @Test func manyTricklingConnectionsAreClosedWhileOthersAreServed() async throws {
            try await HostileServer.with { server, log in
                let port = server.port
                try await HostileServer.expectServed(port: port)
                let baseline = ResidentMemory.trimmedBytes()

                let attackers = RawSockets.openMany(600, port: port)
                #expect(attackers.count == 600)
                for fd in attackers { RawSockets.send(fd, Array("GET /health HTTP/1.1\r\nHost: x\r\n".utf8)) }

                // Trickle one header byte per connection every 100 ms, for longer than the header timeout.
                let trickle = Task {
                    let header = Array("X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8)
                    for byte in header {
                        for fd in attackers { RawSockets.send(fd, [byte]) }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                // Normal clients are served meanwhile, promptly.
                for _ in 0..<5 {
                    try await HostileServer.expectServed(port: port, within: .milliseconds(500))
                    try await Task.sleep(for: .milliseconds(200))
                }
                // The header timeout (800 ms from the first byte) closes every trickling connection.
                let deadline = ContinuousClock.now + .seconds(4)
                var open = attackers
                while !open.isEmpty, ContinuousClock.now < deadline {
                    open = open.filter { !RawSockets.peerClosed($0) }
                    try await Task.sleep(for: .milliseconds(50))
                }
                trickle.cancel()
                #expect(open.isEmpty, "\(open.count) slowloris connections still open after 4 s")
                RawSockets.close(attackers)

                #expect(await HostileServer.waitForConnections(server, atMost: 0) == 0)
                try await HostileServer.expectServed(port: port)
                // Only the normal requests ever reached the handler.
                #expect(log.seenPaths.allSatisfy { $0 == "/health" })
                #expect(log.seenPaths.count == 7)
                #expect(ResidentMemory.trimmedBytes() < baseline + ResidentMemory.slack)
            }
        }
    }
}
