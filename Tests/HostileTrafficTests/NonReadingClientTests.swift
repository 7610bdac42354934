// Clients that never read their event stream: output stays bounded, the server drops them.
import Testing
import TestSupport

extension HostileTraffic {
    @Suite struct NonReadingClients {
        @Test func streamsToClientsThatNeverReadAreBoundedThenDisconnected() async throws {
            try await HostileServer.with { server, log in
                let port = server.port
                let baseline = ResidentMemory.trimmedBytes()
                let clients = 50
                let fds = RawSockets.openMany(clients, port: port, receiveBuffer: 4096)
                for fd in fds { RawSockets.send(fd, Array("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }

                // Writers block once the kernel buffers and the 64 KiB high watermark are full: the bytes
                // written stop growing (until the write timeout drops the client), bounded per client.
                var previous = -1
                var written = log.streamBytesWritten.load(ordering: .relaxed)
                let stallDeadline = ContinuousClock.now + .seconds(3)
                while written != previous, log.streamsDisconnected.load(ordering: .relaxed) == 0, ContinuousClock.now < stallDeadline {
                    try await Task.sleep(for: .milliseconds(150))
                    previous = written
                    written = log.streamBytesWritten.load(ordering: .relaxed)
                }
                #expect(written == previous || log.streamsDisconnected.load(ordering: .relaxed) > 0, "writers kept going without a reader")
                #expect(written < clients * 8 * 1024 * 1024, "\(written) bytes written to \(clients) clients that read nothing")
                try await HostileServer.expectServed(port: port, within: .milliseconds(500))

                // The write timeout (1 s without progress) disconnects every one of them.
                let deadline = ContinuousClock.now + .seconds(5)
                while log.streamsDisconnected.load(ordering: .relaxed) < clients, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(log.streamsDisconnected.load(ordering: .relaxed) == clients)
                RawSockets.close(fds)
                #expect(await HostileServer.waitForConnections(server, atMost: 0) == 0)
                try await HostileServer.expectServed(port: port)
                #expect(ResidentMemory.trimmedBytes() < baseline + ResidentMemory.slack)
            }
        }
    }
}
