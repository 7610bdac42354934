// CORS_ORIGINS and the headers the policy answers with.
import Testing
@testable import ThreadMeterApp

@Suite struct CORSPolicyTests {
    static func header(_ headers: [(name: String, value: String)], _ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func unsetOrEmptyMeansNoCORSAtAll() throws {
        #expect(try CORSPolicy.fromEnvironment(nil) == nil)
        #expect(try CORSPolicy.fromEnvironment("  ") == nil)
    }

    @Test func listedOriginsAreNormalisedAndEchoedWithVaryOrigin() throws {
        let policy = try #require(try CORSPolicy.fromEnvironment(" https://App.Example.com/ , http://localhost:3000"))
        #expect(policy.origins == .listed(["https://app.example.com", "http://localhost:3000"]))
        let headers = policy.responseHeaders(origin: "http://localhost:3000")
        #expect(Self.header(headers, "Access-Control-Allow-Origin") == "http://localhost:3000")
        #expect(Self.header(headers, "Vary") == "Origin")
        let exposed = try #require(Self.header(headers, "Access-Control-Expose-Headers"))
        for name in ["Retry-After", "X-Request-Id", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                     "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"] {
            #expect(exposed.contains(name))
        }
    }

    @Test func aRefusedOriginOrNoOriginGetsNoCORSHeaders() throws {
        let policy = try #require(try CORSPolicy.fromEnvironment("https://app.example.com"))
        #expect(policy.responseHeaders(origin: "https://evil.example").isEmpty)
        #expect(policy.preflightHeaders(origin: "https://evil.example").isEmpty)
        #expect(policy.responseHeaders(origin: "null").isEmpty)
        #expect(policy.responseHeaders(origin: "https://app.example.com.evil.example").isEmpty)
        #expect(policy.responseHeaders(origin: nil).isEmpty, "same-origin and non-browser requests need no CORS headers")
    }

    @Test func aStarAllowsEveryOriginWithoutVary() throws {
        let policy = try #require(try CORSPolicy.fromEnvironment("*"))
        let headers = policy.responseHeaders(origin: "https://anywhere.example")
        #expect(Self.header(headers, "Access-Control-Allow-Origin") == "*")
        #expect(Self.header(headers, "Vary") == nil)
    }

    @Test func aPreflightNamesMethodsHeadersAndMaxAge() throws {
        let policy = try #require(try CORSPolicy.fromEnvironment("https://app.example.com"))
        let headers = policy.preflightHeaders(origin: "https://app.example.com")
        #expect(Self.header(headers, "Access-Control-Allow-Origin") == "https://app.example.com")
        #expect(Self.header(headers, "Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
        let allowed = try #require(Self.header(headers, "Access-Control-Allow-Headers"))
        for name in ["Authorization", "Content-Type", "traceparent", "Idempotency-Key", "OpenAI-Beta"] {
            #expect(allowed.contains(name))
        }
        #expect(Self.header(headers, "Access-Control-Max-Age") == "600")
    }

    @Test(arguments: ["app.example.com", "https://app.example.com/path", "ftp://x", "https://", "https://h:99999", "https://user@h"])
    func somethingThatIsNotAnOriginIsAStartupError(_ value: String) {
        #expect(throws: ServiceConfiguration.ConfigurationError.self) { try CORSPolicy.fromEnvironment(value) }
    }
}
