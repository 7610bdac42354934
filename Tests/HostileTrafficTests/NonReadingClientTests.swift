// Clients that never read their event stream: output stays bounded, the server drops them.
import Testing
import TestSupport

extension HostileTraffic {
    @Suite struct NonReadingClients {
        @Test func streamsToClientsThatNeverReadAreBoundedThenDisconnected() async throws {
            // A write timeout long enough that the normal request below is provably served while
            // every stalled stream is still held.
            try await HostileServer.with(configuration: HostileServer.configuration { $0.writeTimeout = .seconds(4) }) { server, log in
                let port = server.port
                let baseline = ResidentMemory.trimmedBytes()
                let clients = 50
                let fds = RawSockets.openMany(clients, port: port, receiveBuffer: 4096)
                for fd in fds { RawSockets.send(fd, Array("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }

                // Writers block once the kernel buffers and the 64 KiB high watermark are full: the bytes
                // written stop growing (until the write timeout drops the client), bounded per client.
                let written = try #require(await eventuallyStalls { log.streamBytesWritten.load(ordering: .relaxed) },
                                           "writers kept going without a reader")
                #expect(written < clients * 8 * 1024 * 1024, "\(written) bytes written to \(clients) clients that read nothing")
                try await HostileServer.expectServed(port: port)
                #expect(log.streamsDisconnected.load(ordering: .relaxed) < clients, "the normal request waited for the stalled streams to go")

                // The write timeout (without progress) disconnects every one of them.
                #expect(await eventually { log.streamsDisconnected.load(ordering: .relaxed) == clients })
                RawSockets.close(fds)
                #expect(await HostileServer.waitForConnections(server, atMost: 0) == 0)
                try await HostileServer.expectServed(port: port)
                #expect(ResidentMemory.trimmedBytes() < baseline + ResidentMemory.slack)
            }
        }
    }
}
