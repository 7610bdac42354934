import JSONText
import Testing
@testable import ThreadMeterApp

@Suite struct ConfigurationTests {
    @Test func defaultsFollowTheContract() throws {
        let c = try ServiceConfiguration.load(environment: [:], arguments: [])
        #expect(c.host == "127.0.0.1")
        #expect(c.port == 8080)
        #expect(c.openAIAPIKey == nil)
        #expect(c.agentName == "ShadowAssistant")
        #expect(c.threadMaxAgeSeconds == 86_400)
        #expect(c.evictionIntervalSeconds == 60)
        #expect(c.databasePath == "threadmeter.sqlite")
        #expect(c.maxBodyBytes == 1_048_576)
        #expect(c.effectiveUpstreamAPI == .responses)
    }

    @Test func flagsMirrorEnvironmentAndWin() throws {
        let c = try ServiceConfiguration.load(environment: ["PORT": "9000", "AGENT_NAME": "Env"],
                                              arguments: ["--port", "0", "--agent-name=Flag", "--api-keys", "a, b,,c"])
        #expect(c.port == 0)
        #expect(c.agentName == "Flag")
        #expect(c.apiKeys == ["a", "b", "c"])
    }

    @Test func assistantIdSelectsTheAssistantsUpstream() throws {
        let c = try ServiceConfiguration.load(environment: ["ASSISTANT_ID": "asst_1", "OPENAI_API_KEY": "sk"], arguments: [])
        #expect(c.effectiveUpstreamAPI == .assistants)
    }

    @Test func upstreamConnectionCapIsConfigurableAndReachesTheUpstream() throws {
        #expect(try ServiceConfiguration.load(environment: [:], arguments: []).upstreamConfiguration.maxConnections == 4096)
        let c = try ServiceConfiguration.load(environment: ["UPSTREAM_MAX_CONNECTIONS": "9000"], arguments: [])
        #expect(c.upstreamConfiguration.maxConnections == 9000)
        #expect(throws: ServiceConfiguration.ConfigurationError.self) {
            try ServiceConfiguration.load(environment: ["UPSTREAM_MAX_CONNECTIONS": "0"], arguments: [])
        }
    }

    @Test(arguments: [
        (["PORT": "70000"], [String]()),
        (["PORT": "abc"], []),
        (["THREAD_MAX_AGE_SECONDS": "soon"], []),
        (["THREAD_MAX_AGE_SECONDS": "-1"], []),
        (["MAX_BODY_BYTES": "0"], []),
        (["LOG_LEVEL": "loud"], []),
        (["OPENAI_BASE_URL": "ftp://x"], []),
        (["OPENAI_BASE_URL": "not a url"], []),
        (["UPSTREAM_API": "chat"], []),
        (["OPENAI_API_KEY": "sk", "UPSTREAM_API": "assistants"], []),
        (["OPENAI_API_KEY": "sk"], []),
        ([:], ["--nope", "1"]),
        ([:], ["--port"]),
    ])
    func badValuesGiveOneClearError(_ env: [String: String], _ args: [String]) {
        #expect(throws: ServiceConfiguration.ConfigurationError.self) {
            try ServiceConfiguration.load(environment: env, arguments: args)
        }
    }

    @Test func helpListsEveryVariable() {
        for name in ["HOST", "PORT", "OPENAI_API_KEY", "OPENAI_BASE_URL", "UPSTREAM_API", "ASSISTANT_ID", "OPENAI_MODEL",
                     "INSTRUCTIONS", "AGENT_NAME", "THREAD_MAX_AGE_SECONDS", "EVICTION_INTERVAL_SECONDS", "DATABASE_PATH",
                     "MAX_BODY_BYTES", "ADMIN_TOKEN", "API_KEYS", "LOG_LEVEL"] {
            #expect(ServiceConfiguration.helpText.contains(name))
        }
    }
}

@Suite struct RouterAndAuthTests {
    @Test func bearerAuthAcceptsOnlyConfiguredTokens() {
        let auth = BearerAuth(tokens: ["k1", "k2"])
        #expect(auth.allows(["Authorization": "Bearer k1"]))
        #expect(auth.allows(["Authorization": "bearer k2"]))
        #expect(!auth.allows(["Authorization": "Bearer k3"]))
        #expect(!auth.allows(["Authorization": "Bearer k"]))
        #expect(!auth.allows(["Authorization": "Bearer k11"]))
        #expect(!auth.allows(["Authorization": "Basic k1"]))
        #expect(!auth.allows([:]))
        #expect(!BearerAuth(tokens: []).allows([:]), "no token configured admits nobody; AccessControl decides what unset means")
    }

    @Test func constantTimeEqualsComparesWholeInputs() {
        #expect(BearerAuth.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerAuth.constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BearerAuth.constantTimeEquals(Array("abc".utf8), Array("ab".utf8)))
        #expect(!BearerAuth.constantTimeEquals([], Array("a".utf8)))
    }

    @Test func jsonValuesSerialiseOnOneLine() {
        let v = JSONValue.object([("a", .string("x\ny\"z")), ("b", .array([.int(1), .double(0.5), .null, .bool(true)])),
                                  ("c", .double(1706745600))])
        #expect(v.serialized() == #"{"a":"x\ny\"z","b":[1,0.5,null,true],"c":1706745600.0}"#)
        #expect(JSONValue.double(2.955e-05).serialized() == "0.00002955")
        #expect(JSONValue.double(0.000053).serialized() == "0.000053")
        #expect(JSONValue.double(.nan).serialized() == "null")
    }
}
