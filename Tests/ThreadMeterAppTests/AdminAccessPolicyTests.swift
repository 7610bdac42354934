import HTTPServer
import HTTPWire
import Metering
import Telemetry
import TestSupport
import Testing
@testable import ThreadMeterApp

/// Contract §3 "protected by default", decided in-process from the peer address the server reports.
@Suite struct AdminAccessPolicyTests {
    static let adminPaths = ["/stats", "/stats/threads/thread_a", "/stats/usage", "/metrics", "/admin/budgets"]

    func service(_ configure: (inout ServiceConfiguration) -> Void = { _ in }) -> ThreadMeterService {
        var configuration = ServiceConfiguration()
        configure(&configuration)
        return ThreadMeterService(configuration: configuration, upstream: fastSimulatedAssistant(), ledger: InMemoryLedger(), logger: .noop)
    }

    func status(_ service: ThreadMeterService, _ path: String, from peer: String, token: String? = nil) async -> (Int, String) {
        var headers = HTTPHeaders()
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = await service.handle(HTTPRequest(method: "GET", target: path, headers: headers),
                                            RequestContext(remoteAddress: peer, requestId: "t"))
        guard case .bytes(let body) = response.body else { return (response.status, "") }
        return (response.status, String(decoding: body, as: UTF8.self))
    }

    @Test(arguments: ["10.200.0.2:40000", "[2001:db8::7]:443", "[::ffff:10.0.0.1]:80", "unknown", "128.0.0.1:1"])
    func withoutAnAdminTokenAdminRoutesRefuseNonLoopbackClientsWith403(peer: String) async {
        let service = service()
        for path in Self.adminPaths {
            let (status, body) = await status(service, path, from: peer)
            #expect(status == 403, "\(path) from \(peer)")
            #expect(body.contains(#""code":"admin_token_required""#) && body.contains("set ADMIN_TOKEN"), "\(body)")
        }
        #expect(await status(service, "/health", from: peer).0 == 200, "health stays open")
    }

    @Test(arguments: ["127.0.0.1:5000", "127.8.9.10:1", "[::1]:8080", "[::ffff:127.0.0.1]:9"])
    func withoutAnAdminTokenLoopbackClientsReachAdminRoutes(peer: String) async {
        let service = service()
        #expect(await status(service, "/stats", from: peer).0 == 200)
        #expect(await status(service, "/metrics", from: peer).0 == 200)
        #expect(await status(service, "/admin/budgets", from: peer).0 == 200)
        #expect(await status(service, "/admin/no-such-area", from: peer).0 == 404, "no such route, and the area admits loopback")
    }

    @Test(arguments: ["10.200.0.2:40000", "127.0.0.1:5000", "[::1]:1"])
    func withAnAdminTokenTheTokenDecidesWhateverTheAddress(peer: String) async {
        let service = service { $0.adminToken = "s3cret" }
        for path in ["/stats", "/metrics"] {
            #expect(await status(service, path, from: peer).0 == 401, "\(path) from \(peer) without the token")
            #expect(await status(service, path, from: peer, token: "wrong").0 == 401)
            #expect(await status(service, path, from: peer, token: "s3cret").0 == 200)
        }
    }

    @Test func peerAddressesAreParsedAsTheServerWritesThem() {
        #expect(IPAddress(peer: "127.0.0.1:80")?.isLoopback == true)
        #expect(IPAddress(peer: "[::1]:80")?.isLoopback == true)
        #expect(IPAddress(peer: "::1")?.isLoopback == true, "a bare address is accepted too")
        #expect(IPAddress(peer: "[::ffff:127.1.2.3]:80")?.isLoopback == true)
        #expect(IPAddress(peer: "[::ffff:10.1.2.3]:80")?.isLoopback == false)
        #expect(IPAddress(peer: "[::127.0.0.1]:80")?.isLoopback == false, "IPv4-compatible is not loopback")
        #expect(IPAddress(peer: "10.0.0.1:80")?.isLoopback == false)
        #expect(IPAddress(peer: "unknown") == nil)
        #expect(IPAddress(peer: "[fe80::1%eth0]:80") == nil)
        #expect(IPAddress(literal: "localhost")?.isLoopback == true)
        #expect(IPAddress(literal: "0.0.0.0")?.isLoopback == false)
        #expect(IPAddress(literal: "::")?.isLoopback == false)
    }

    @Test func listeningBeyondLoopbackWithoutCredentialsLogsOneWarningForEach() async throws {
        let logs = MemoryLogSink()
        var configuration = ServiceConfiguration()
        configuration.host = "0.0.0.0"
        configuration.port = 0
        configuration.shutdownGraceSeconds = 1
        let open = ThreadMeterService(configuration: configuration, upstream: fastSimulatedAssistant(), ledger: InMemoryLedger(),
                                      logger: Logger(label: "t", level: .info, sink: logs))
        try await open.start()
        await open.shutdown()
        let warnings = logs.records.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.filter { $0.contains("ADMIN_TOKEN") }.count == 1)
        #expect(warnings.filter { $0.contains("API_KEYS") }.count == 1)

        let quiet = MemoryLogSink()
        configuration.adminToken = "a"
        configuration.apiKeys = ["k"]
        let closed = ThreadMeterService(configuration: configuration, upstream: fastSimulatedAssistant(), ledger: InMemoryLedger(),
                                        logger: Logger(label: "t", level: .info, sink: quiet))
        try await closed.start()
        await closed.shutdown()
        #expect(!quiet.records.contains { $0.level == .warning && ($0.message.contains("ADMIN_TOKEN") || $0.message.contains("API_KEYS")) })
    }

    @Test func onLoopbackNoExposureWarningIsLogged() async throws {
        try await withTestApp { app in
            #expect(!app.logs.records.contains { $0.level == .warning && $0.message.contains("non-loopback") })
        }
    }
}

/// The same policy end to end: a real client on a non-loopback address, inside a network namespace.
@Suite(.serialized) struct AdminAccessFromAnotherHostTests {
    @Test func aClientOnANonLoopbackAddressGets403ForAdminRoutesUntilAnAdminTokenIsSet() async throws {
        guard VethNamespace.executable("curl") != nil else { try Test.cancel("skipped: no curl") }
        let namespace: VethNamespace
        do {
            namespace = try await VethNamespace.make()
        } catch {
            try Test.cancel("skipped: \(error)")
        }
        do {
            try await Self.check(from: namespace)
        } catch {
            await namespace.remove()
            throw error
        }
        await namespace.remove()
    }

    static func check(from namespace: VethNamespace) async throws {
        func fetch(_ port: Int, _ path: String, token: String? = nil) async throws -> (status: Int, body: String) {
            var arguments = ["-s", "-m", "10", "-w", "\n%{http_code}", "http://\(namespace.hostAddress):\(port)\(path)"]
            if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
            let result = try await namespace.run("curl", arguments)
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }

        try await withTestApp(configure: { $0.host = namespace.hostAddress }) { app in
            for path in ["/stats", "/stats/threads/thread_a", "/metrics", "/admin/budgets"] {
                let answer = try await fetch(app.port, path)
                #expect(answer.status == 403, "\(path) from \(namespace.clientAddress)")
                #expect(answer.body.contains("admin_token_required") && answer.body.contains("set ADMIN_TOKEN"), "\(answer.body)")
            }
            #expect(try await fetch(app.port, "/health").status == 200)
            #expect(app.logs.records.contains { $0.level == .warning && $0.message.contains("ADMIN_TOKEN") })
        }
        try await withTestApp(configure: { $0.host = namespace.hostAddress; $0.adminToken = "s3cret" }) { (app: TestApp) async throws in
            #expect(try await fetch(app.port, "/stats").status == 401)
            #expect(try await fetch(app.port, "/stats", token: "s3cret").status == 200)
            #expect(try await fetch(app.port, "/metrics", token: "s3cret").status == 200)
        }
    }
}
