// Listen addresses and start failures.
import HTTPServer
import HTTPWire
import Testing
import TestSupport

@Suite struct ListeningTests {
    func serve(host: String) async throws -> HTTPServer {
        var configuration = HTTPServerConfiguration()
        configuration.host = host
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, logger: .noop, handler: Handlers.health)
        try server.start()
        return server
    }

    @Test func listensOnIPv6Loopback() async throws {
        let server = try await serve(host: "::1")
        let connection = try TestConnection(port: server.port, host: "::1")
        #expect(try await connection.request(path: "/").status == 200)
        connection.close()
        await server.shutdownGracefully(deadline: .milliseconds(200))
    }

    @Test func localhostMeansIPv4Loopback() async throws {
        let server = try await serve(host: "localhost")
        #expect(server.port > 0)
        #expect(try await sendRequest(port: server.port, path: "/").status == 200)
        await server.shutdownGracefully(deadline: .milliseconds(200))
    }

    @Test func invalidHostAndPortAreRefused() {
        var configuration = HTTPServerConfiguration()
        configuration.host = "example.com"
        #expect(throws: HTTPServerError.invalidHost("example.com")) {
            try HTTPServer(configuration: configuration, logger: .noop, handler: Handlers.health).start()
        }
        configuration.host = "127.0.0.1"
        configuration.port = 70000
        #expect(throws: HTTPServerError.invalidPort(70000)) {
            try HTTPServer(configuration: configuration, logger: .noop, handler: Handlers.health).start()
        }
    }

    @Test func portInUseIsABindError() async throws {
        let first = try await serve(host: "127.0.0.1")
        var configuration = HTTPServerConfiguration()
        configuration.port = first.port
        let second = HTTPServer(configuration: configuration, logger: .noop, handler: Handlers.health)
        #expect {
            try second.start()
        } throws: { error in
            guard case .socketFailed(let call, _) = error as? HTTPServerError else { return false }
            return call == "bind"
        }
        await first.shutdownGracefully(deadline: .milliseconds(200))
    }
}
