// Proxies (CONNECT tunnels for https, absolute-form for http, NO_PROXY) and name resolution.
import Foundation
import HTTPClient
import Synchronization
import Testing
import TestSupport

@Suite struct ProxyAndDNSTests {
    /// A TLS upstream with `leaf`, a test proxy, and a client trusting the test CA that sends https
    /// requests through the proxy; both servers stop afterwards.
    static func withTunnel(_ leaf: TestCertificates.Kind, _ body: (TLSTests.Upstream, TestProxy, HTTPClient) async throws -> Void) async throws {
        let upstream = try await TLSTests.Upstream(leaf: leaf)
        defer { upstream.stop() }
        let proxy = try TestProxy()
        defer { proxy.stop() }
        let client = try await TLSTests.trustingTestCA { $0.proxy = HTTPProxySettings(httpsProxy: HTTPProxySettings.Proxy(proxy.url)) }
        try await body(upstream, proxy, client)
    }

    @Test func anHTTPSRequestThroughAProxyTunnelsWithCONNECTAndVerifiesTheOrigin() async throws {
        try await Self.withTunnel(.localhost) { upstream, proxy, client in
            for _ in 0..<3 {
                let (status, _, _) = try await exchange(client, request("GET", "models", base: upstream.url(host: "upstream.test")))
                #expect(status == 200)
            }
            #expect(proxy.requestLines == ["CONNECT upstream.test:\(upstream.tls.port) HTTP/1.1"], "one tunnel, kept alive")
            #expect(client.dnsLookups == 0, "the proxy resolves the target")
            #expect(upstream.tls.seen.handshakes == 1)
            let first = try #require(upstream.requests.first)
            #expect(first.hasPrefix("GET /v1/models HTTP/1.1\r\n"), "origin-form inside the tunnel")
        }
    }

    @Test func aTunnelToAnUntrustedOriginStillFailsVerification() async throws {
        try await Self.withTunnel(.untrusted) { upstream, proxy, client in
            let error = await failure(client, try request("GET", "models", base: upstream.url(host: "upstream.test")))
            #expect(error?.message.contains("unable to get local issuer certificate") == true, "\(String(describing: error))")
            #expect(proxy.requestLines.count == 1)
            #expect(upstream.tls.seen.applicationBytes == 0)
        }
    }

    @Test func aPlainHTTPRequestThroughAProxyUsesTheAbsoluteForm() async throws {
        let requests = RequestLog()
        let server = try ScriptedHTTPServer.answering(log: requests)
        defer { server.stop() }
        let proxy = try TestProxy()
        defer { proxy.stop() }
        let client = makeClient { $0.proxy = HTTPProxySettings(httpProxy: HTTPProxySettings.Proxy(proxy.url)) }
        let (status, _, _) = try await exchange(client, request("GET", "models", base: URL(string: "http://upstream.test:\(server.port)/v1")!))
        #expect(status == 200)
        let line = "GET http://upstream.test:\(server.port)/v1/models HTTP/1.1"
        #expect(proxy.requestLines == [line])
        #expect(requests.all.first.map { $0.hasPrefix(line + "\r\nHost: upstream.test:\(server.port)\r\n") } == true)
    }

    @Test func hostsNamedInNO_PROXYAreReachedDirectly() async throws {
        let proxy = try TestProxy()
        defer { proxy.stop() }
        let client = makeClient { $0.proxy = .fromEnvironment(["https_proxy": proxy.url, "NO_PROXY": "example.com, .test"]) }
        // Direct means this client resolves the name itself, and nobody but the proxy knows it.
        let error = await failure(client, try request("GET", "models", base: URL(string: "https://upstream.test:1/v1")!))
        #expect(error?.message.contains("could not resolve upstream.test") == true, "\(String(describing: error))")
        #expect(proxy.requestLines.isEmpty)
    }

    @Test func loopbackHostsAreNeverProxied() async throws {
        try await Self.withTunnel(.localhost) { upstream, proxy, client in
            for host in ["localhost", "127.0.0.1"] {
                let (status, _, _) = try await exchange(client, request("GET", "models", base: upstream.url(host: host)))
                #expect(status == 200)
            }
            #expect(proxy.requestLines.isEmpty)
        }
    }

    @Test func proxySettingsComeFromTheEnvironmentLowercaseFirst() throws {
        let settings = HTTPProxySettings.fromEnvironment([
            "HTTPS_PROXY": "http://upper:1", "https_proxy": "http://user:p%40ss@lower:3128",
            "HTTP_PROXY": "plain:8080", "no_proxy": ".internal.example,10.0.0.7,*.corp,api.local:8443",
        ])
        #expect(settings.httpsProxy == HTTPProxySettings.Proxy(host: "lower", port: 3128, authorization: "Basic " + Data("user:p@ss".utf8).base64EncodedString()))
        #expect(settings.httpProxy == HTTPProxySettings.Proxy(host: "plain", port: 8080))
        func direct(_ url: String) -> Bool { settings.proxy(for: HTTPOrigin(url: URL(string: url)!)!) == nil }
        #expect(direct("https://svc.internal.example/v1"))
        #expect(direct("https://internal.example/v1"))
        #expect(!direct("https://notinternal.example/v1"), "a suffix matches on a label boundary only")
        #expect(direct("https://10.0.0.7/v1"))
        #expect(!direct("https://10.0.0.70/v1"), "an IP address matches exactly")
        #expect(direct("https://a.b.corp/v1"))
        #expect(direct("https://api.local:8443/v1"))
        #expect(!direct("https://api.local/v1"), "an entry with a port matches that port only")
        #expect(!direct("https://api.openai.com/v1"))
        #expect(direct("http://localhost:8080/v1") && direct("http://127.0.0.2/v1") && direct("http://[::1]:80/v1"), "loopback is never proxied")
        #expect(HTTPProxySettings.fromEnvironment(["HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"]).proxy(for: HTTPOrigin(scheme: .https, host: "api.openai.com")) == nil)
    }

    @Test func localhostIsResolvedOffTheLoopAndCached() async throws {
        let server = try ScriptedHTTPServer.answering()
        defer { server.stop() }
        let client = makeClient { $0.poolIdleTimeout = .milliseconds(50) }
        let base = URL(string: "http://localhost:\(server.port)/v1")!
        for round in 1...2 {
            let (status, _, _) = try await exchange(client, request("GET", "models", base: base))
            #expect(status == 200)
            // The idle connection closes (the server sees it go): the next one connects again.
            #expect(await eventually { server.closedCount == round })
        }
        #expect(server.acceptedCount == 2)
        #expect(client.dnsLookups == 1)
    }

    @Test func anUnknownHostIsAConnectionFailureNamingIt() async throws {
        let error = await failure(makeClient(), try request("GET", "x", base: URL(string: "http://no-such-host.invalid/v1")!))
        #expect(error?.message.contains("could not resolve no-such-host.invalid") == true, "\(String(describing: error))")
    }
}
