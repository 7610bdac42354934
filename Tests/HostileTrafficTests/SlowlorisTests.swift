// Slowloris: many connections that trickle a request head and never finish it.
import Foundation
import Testing
import TestSupport

extension HostileTraffic {
    @Suite struct Slowloris {
        @Test func manyTricklingConnectionsAreClosedWhileOthersAreServed() async throws {
            // A header timeout longer than the trickle, so the normal requests below are provably
            // served while every attacker is still held.
            try await HostileServer.with(configuration: HostileServer.configuration { $0.headerTimeout = .seconds(6) }) { server, log in
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
                // Normal clients are served meanwhile, while the server still holds all 600.
                #expect(await eventually { server.openConnections >= 600 })
                for _ in 0..<5 {
                    try await HostileServer.expectServed(port: port)
                    #expect(server.openConnections >= 600, "a normal request waited for the attackers to go")
                }
                // The header timeout (from the first byte) closes every trickling connection.
                #expect(await eventually { attackers.allSatisfy(RawSockets.peerClosed) }, "slowloris connections still open")
                trickle.cancel()
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
