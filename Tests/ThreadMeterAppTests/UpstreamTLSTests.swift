// The service against an https upstream (the mock behind a local TLS terminator) with the test CA
// trusted through UPSTREAM_CA_FILE: exact usage, connection reuse, and certificate failures as 502.
import Foundation
import MockUpstream
import Testing
import TestSupport
@testable import ThreadMeterApp
import Upstream

@Suite struct UpstreamTLSTests {
    /// The mock upstream behind a TLS terminator presenting `leaf`, and the service pointed at
    /// `https://{host}:{port}/v1` trusting the test CA.
    func withTLSMockedApp(
        _ api: UpstreamConfiguration.API,
        leaf: TestCertificates.Kind = .localhost,
        host: String = "localhost",
        _ body: (TestApp, MockUpstreamServer, TestTLSServer) async throws -> Void
    ) async throws {
        let certificates = try await TestCertificates.shared()
        var settings = MockUpstreamSettings()
        settings.apiKey = "sk-test"
        settings.deltaCount = 3
        let mock = MockUpstreamServer(settings: settings)
        try mock.start()
        let tls = try TestTLSServer(leaf: certificates[leaf], backendPort: mock.port)
        var config = UpstreamConfiguration(apiKey: "sk-test", baseURL: URL(string: "https://\(host):\(tls.port)/v1")!, api: api,
                                           assistantId: api == .assistants ? "asst_test" : nil,
                                           model: api == .responses ? "gpt-4o-mini" : nil)
        config.caFile = certificates.caFile
        config.proxy = .direct
        config.idleTimeout = .seconds(5)
        config.firstByteTimeout = .seconds(5)
        config.abandonTimeout = .seconds(3)
        #expect(config.validate() == nil)
        do {
            try await withTestApp(configure: {
                $0.openAIAPIKey = "sk-test"
                $0.assistantId = config.assistantId
                $0.openAIModel = config.model
            }, upstream: makeUpstream(config, logger: .noop)) { app in
                try await body(app, mock, tls)
            }
        } catch {
            tls.stop()
            await mock.shutdown()
            throw error
        }
        tls.stop()
        await mock.shutdown()
    }

    @Test(arguments: [UpstreamConfiguration.API.assistants, .responses])
    func queriesOverVerifiedTLSAccumulateExactlyWhatTheUpstreamReported(_ api: UpstreamConfiguration.API) async throws {
        try await withTLSMockedApp(api) { app, mock, tls in
            let first = try await app.query(["query": "What is sales methodology?", "accountName": "Acme"]).events
            let done = try #require(first.last)
            #expect(done.type == "stream_complete", "\(first)")
            #expect(first.filter { $0.type == "content" }.count == 3)
            let threadId = try #require(done.data["thread_id"] as? String)
            let second = try await app.query(["query": "And pricing?", "threadId": threadId]).events
            #expect(second.last?.type == "stream_complete")
            let stats = try await app.statistics()
            #expect(stats["total_input_tokens"] as? Int == mock.reportedUsage.inputTokens)
            #expect(stats["total_output_tokens"] as? Int == mock.reportedUsage.outputTokens)
            #expect((stats["threads"] as? [String: [String: Any]])?[threadId]?["runs"] as? Int == 2)
            #expect(tls.seen.failedHandshakes == 0)
        }
    }

    @Test func twentySequentialQueriesOpenAtMostThreeTLSConnections() async throws {
        try await withTLSMockedApp(.assistants) { app, _, tls in
            for index in 0..<20 {
                let events = try await app.query(["query": "Question \(index)?"]).events
                #expect(events.last?.type == "stream_complete")
            }
            #expect(tls.seen.handshakes <= 3, "\(tls.seen.handshakes) TLS connections for 20 queries")
        }
    }

    @Test func anIPAddressBaseURLIsVerifiedAgainstTheCertificatesIPAddress() async throws {
        try await withTLSMockedApp(.responses, host: "127.0.0.1") { app, _, _ in
            let events = try await app.query(["query": "Hello?"]).events
            #expect(events.last?.type == "stream_complete")
        }
    }

    static let failures: [(leaf: TestCertificates.Kind, reason: String)] = [
        (.untrusted, "unable to get local issuer certificate"),
        (.expired, "certificate has expired"),
        (.otherHost, "hostname mismatch"),
    ]

    @Test(arguments: 0..<failures.count)
    func aCertificateThatFailsVerificationIsA502SayingWhyAndNothingReachesTheUpstream(_ index: Int) async throws {
        let failure = Self.failures[index]
        try await withTLSMockedApp(.responses, leaf: failure.leaf) { app, _, tls in
            let response = try await app.query(["query": "Hello?"])
            #expect(response.status == 502)
            let error = try #require(try response.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "upstream_error")
            let message = try #require(error["message"] as? String)
            #expect(message.contains("TLS") && message.contains("certificate"), "\(message)")
            #expect(message.contains(failure.reason), "\(message)")
            #expect(tls.seen.handshakes == 0)
            #expect(tls.seen.applicationBytes == 0, "no request bytes after a failed handshake")
            let health = try await app.getJSON("/health")
            #expect(health["status"] as? String == "healthy")
        }
    }
}
