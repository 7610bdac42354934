// Thousands of connections opened and dropped in every state a request can be in.
import Testing
import TestSupport

extension HostileTraffic {
    @Suite struct AbandonedConnections {
        @Test func thousandsOfAbandonedConnectionsAreReclaimed() async throws {
            try await HostileServer.with { server, log in
                let port = server.port
                try await HostileServer.expectServed(port: port)
                let baseline = ResidentMemory.trimmedBytes()

                for round in 0..<3 {
                    let fds = RawSockets.openMany(1500, port: port)
                    #expect(fds.count == 1500)
                    for (i, fd) in fds.enumerated() {
                        switch i % 4 {
                        case 0: break  // connected, silent
                        case 1: RawSockets.send(fd, Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Le".utf8))  // half a head
                        case 2: RawSockets.send(fd, Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc".utf8))  // half a body
                        default: RawSockets.send(fd, Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8))  // whole request, answer never read
                        }
                    }
                    #expect(await eventually { server.openConnections >= 1500 })
                    RawSockets.close(fds, reset: round % 2 == 1)
                    try await HostileServer.expectServed(port: port)
                }

                #expect(await HostileServer.waitForConnections(server, atMost: 0) == 0)
                try await HostileServer.expectServed(port: port)
                #expect(log.seenPaths.allSatisfy { $0 == "/health" }, "no half-sent request may reach the handler")
                #expect(ResidentMemory.trimmedBytes() < baseline + ResidentMemory.slack)
            }
        }
    }
}
