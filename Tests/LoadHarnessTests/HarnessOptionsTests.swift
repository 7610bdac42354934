import Testing
@testable import threadmeter_load

@Suite struct HarnessOptionsTests {
    @Test func defaultsDescribeASmallSteadyRun() throws {
        let options = try #require(try HarnessOptions.parse([], environment: [:]))
        #expect(options.profile == .steady)
        #expect(options.clients == 10)
        #expect(options.queries == 5)
        #expect(options.host == "127.0.0.1" && options.port == 8080)
    }

    @Test func holdHasNoQueryLimitAndProbesHealth() throws {
        let options = try #require(try HarnessOptions.parse(["--profile", "hold", "--clients=200", "--url", "http://[::1]:9000"], environment: [:]))
        #expect(options.queries == nil)
        #expect(options.duration == 30)
        #expect(options.probeHealth)
        #expect(options.clients == 200)
        #expect(options.host == "[::1]" && options.port == 9000)
    }

    @Test func tokensComeFromTheEnvironmentUnlessGiven() throws {
        let env = ["ADMIN_TOKEN": "adm", "THREADMETER_API_KEY": "key"]
        let fromEnv = try #require(try HarnessOptions.parse([], environment: env))
        #expect(fromEnv.adminToken == "adm" && fromEnv.apiKey == "key")
        let given = try #require(try HarnessOptions.parse(["--admin-token", "x"], environment: env))
        #expect(given.adminToken == "x")
    }

    @Test(arguments: [["--clients", "0"], ["--new-thread-share", "1.5"], ["--profile", "fast"], ["--url", "https://x"], ["--bogus"], ["--queries"]])
    func badUsageIsRefused(arguments: [String]) {
        #expect(throws: HarnessError.self) { _ = try HarnessOptions.parse(arguments, environment: [:]) }
    }

    @Test func helpReturnsNil() throws {
        #expect(try HarnessOptions.parse(["--help"], environment: [:]) == nil)
    }
}
