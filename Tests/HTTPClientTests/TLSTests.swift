// TLS to a local terminator with certificates made by the test: verification of the chain, the
// host name or IP address, expiry; nothing of the request sent when it fails; kept-alive and
// resumed sessions.
import Foundation
import HTTPClient
import Synchronization
import Testing
import TestSupport

@Suite struct TLSTests {
    /// A scripted plain-HTTP backend answering every request, behind a TLS terminator with `leaf`.
    final class Upstream: Sendable {
        let backend: ScriptedHTTPServer
        let tls: TestTLSServer
        private let log = RequestLog()

        /// The requests the backend received, as text.
        var requests: [String] { log.all }

        /// `script` answers the backend's connections; by default every request gets `{"ok":true}`.
        init(leaf: TestCertificates.Kind, script: (@Sendable (ScriptedConnection) -> Void)? = nil) async throws {
            backend = try script.map { try ScriptedHTTPServer(script: $0) } ?? .answering(httpResponse("{\"ok\":true}"), log: log)
            tls = try TestTLSServer(leaf: try await TestCertificates.shared()[leaf], backendPort: backend.port)
        }

        func url(host: String = "localhost") -> URL { URL(string: "https://\(host):\(tls.port)/v1")! }

        func stop() {
            tls.stop()
            backend.stop()
        }
    }

    static func trustingTestCA(_ configure: (inout HTTPClientConfiguration) -> Void = { _ in }) async throws -> HTTPClient {
        let caFile = try await TestCertificates.shared().caFile
        return makeClient {
            $0.caFile = caFile
            configure(&$0)
        }
    }

    @Test func aCertificateFromTheConfiguredCAForLocalhostIsAccepted() async throws {
        let upstream = try await Upstream(leaf: .localhost)
        defer { upstream.stop() }
        let client = try await Self.trustingTestCA()
        let (status, _, body) = try await exchange(client, request("POST", "threads", base: upstream.url(), body: "{}"))
        #expect(status == 200)
        #expect(body == "{\"ok\":true}")
        let first = try #require(upstream.requests.first)
        #expect(first.hasPrefix("POST /v1/threads HTTP/1.1\r\nHost: localhost:\(upstream.tls.port)\r\n"))
    }

    @Test func anIPAddressURLIsVerifiedAgainstTheCertificatesIPAddresses() async throws {
        let upstream = try await Upstream(leaf: .localhost)
        defer { upstream.stop() }
        let client = try await Self.trustingTestCA()
        let (status, _, _) = try await exchange(client, request("GET", "models", base: upstream.url(host: "127.0.0.1")))
        #expect(status == 200)
        #expect(client.dnsLookups == 0, "an IP literal is not looked up")
    }

    @Test func twentySequentialRequestsShareOneTLSConnection() async throws {
        let upstream = try await Upstream(leaf: .localhost)
        defer { upstream.stop() }
        let client = try await Self.trustingTestCA()
        for index in 0..<20 {
            let (status, _, _) = try await exchange(client, request("GET", "threads/t\(index)", base: upstream.url()))
            #expect(status == 200)
        }
        #expect(upstream.tls.seen.handshakes <= 3)
        #expect(upstream.tls.seen.handshakes == 1, "one kept-alive connection")
        #expect(client.dnsLookups == 1, "localhost was resolved once and then came from the cache")
    }

    @Test func aNewConnectionResumesTheLastSession() async throws {
        let upstream = try await Upstream(leaf: .localhost)
        defer { upstream.stop() }
        let client = try await Self.trustingTestCA { $0.poolIdleTimeout = .milliseconds(100) }
        _ = try await exchange(client, request("GET", "a", base: upstream.url()))
        #expect(await eventually { upstream.backend.acceptedCount == 1 })
        #expect(await eventually { upstream.backend.closedCount == 1 }, "the idle connection closes")
        _ = try await exchange(client, request("GET", "b", base: upstream.url()))
        #expect(upstream.tls.seen.handshakes == 2)
        #expect(upstream.tls.seen.resumed == 1, "the second connection resumed the first one's session")
        #expect(client.tlsHandshakes.resumed == 1)
    }

    @Test func aSlowReaderOverTLSStopsTheSocketAndStillGetsEveryByteInOrder() async throws {
        let block = (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let blocks = 48
        let sent = Atomic<Int>(0)
        let upstream = try await Upstream(leaf: .localhost) { connection in
            guard connection.readRequest() != nil else { return }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(blocks * block.count)\r\n\r\n")
            for _ in 0..<blocks {
                guard LoopbackListener.send(connection.fd, block) else { return }
                sent.add(1, ordering: .relaxed)
            }
        }
        defer { upstream.stop() }
        let client = try await Self.trustingTestCA()
        let response = try await client.execute(request("GET", "big", base: upstream.url()))
        // The client stops reading at its watermark: the backend's sends stop.
        #expect(await eventuallyStalls { sent.load(ordering: .relaxed) } != nil)
        var received: [UInt8] = []
        for try await chunk in response.body {
            received += chunk
            if received.count < blocks * block.count / 2 { try await Task.sleep(for: .microseconds(200)) }  // slow for a while
        }
        #expect(received.count == blocks * block.count)
        #expect(received == Array((0..<blocks).map { _ in block }.joined()), "every byte, in order, across pauses")
    }

    static let failures: [(leaf: TestCertificates.Kind, host: String, reason: String)] = [
        (.untrusted, "localhost", "unable to get local issuer certificate"),
        (.expired, "localhost", "certificate has expired"),
        (.otherHost, "localhost", "hostname mismatch"),
        (.otherHost, "127.0.0.1", "IP address mismatch"),
    ]

    @Test(arguments: 0..<failures.count)
    func aCertificateThatFailsVerificationEndsTheRequestBeforeAnyRequestByteIsSent(_ index: Int) async throws {
        let expected = Self.failures[index]
        let upstream = try await Upstream(leaf: expected.leaf)
        defer { upstream.stop() }
        let client = try await Self.trustingTestCA()
        let error = await failure(client, try request("POST", "threads", base: upstream.url(host: expected.host), body: "{\"secret\":1}"))
        guard case .tlsFailed(let message)? = error else {
            Issue.record("expected tlsFailed, got \(String(describing: error))")
            return
        }
        #expect(message.contains("certificate"))
        #expect(message.contains(expected.reason), "\(message)")
        #expect(await eventually { upstream.tls.seen.failedHandshakes == 1 })
        #expect(upstream.tls.seen.handshakes == 0)
        #expect(upstream.tls.seen.applicationBytes == 0, "no request bytes after a failed handshake")
        #expect(upstream.backend.acceptedCount == 0)
    }

    @Test func withoutTheCAFileTheTestCAIsNotTrusted() async throws {
        let upstream = try await Upstream(leaf: .localhost)
        defer { upstream.stop() }
        let error = await failure(makeClient(), try request("GET", "models", base: upstream.url()))
        #expect(error?.message.contains("unable to get local issuer certificate") == true, "\(String(describing: error))")
    }

    @Test func aCAFileThatCannotBeReadHoldsNoCertificateOrDoesNotParseIsRefused() async throws {
        let certificates = try await TestCertificates.shared()
        let directory = certificates.directory
        #expect(TrustedCertificates.problem(path: certificates.caFile) == nil)
        #expect(TrustedCertificates.problem(path: directory + "/missing.pem")?.contains("cannot read") == true)
        try "no certificates here\n".write(toFile: directory + "/empty.pem", atomically: true, encoding: .utf8)
        #expect(TrustedCertificates.problem(path: directory + "/empty.pem")?.contains("holds no PEM certificate") == true)
        let broken = "-----BEGIN CERTIFICATE-----\nMIIBroken!!\n-----END CERTIFICATE-----\n"
        try broken.write(toFile: directory + "/broken.pem", atomically: true, encoding: .utf8)
        #expect(TrustedCertificates.problem(path: directory + "/broken.pem")?.contains("does not parse") == true)
    }
}
