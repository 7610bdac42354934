import HTTPServer
import Metering
import Telemetry
import Testing
@testable import ThreadMeterApp

@Suite struct RouteTableTests {
    /// The service's own table.
    let table = ThreadMeterService(configuration: ServiceConfiguration(), upstream: fastSimulatedAssistant(),
                                   ledger: InMemoryLedger(), logger: .noop).pipeline.routes

    /// A resolution as text: `GET /stats/threads/{id} id=x`, `405 GET, HEAD`, `404 admin`.
    func resolve(_ method: String, _ path: String, in table: RouteTable? = nil) -> String {
        switch (table ?? self.table).resolve(method: method, rawPath: path) {
        case .route(let route, let parameters):
            return ([route.method + " " + route.pattern.description] + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: " ")
        case .methodNotAllowed(let allowed):
            return "405 " + allowed.joined(separator: ", ")
        case .notFound(let policy):
            return "404 \(policy)"
        }
    }

    @Test func routesResolveByPathThenMethod() {
        #expect(resolve("POST", "/v1/query") == "POST /v1/query")
        #expect(resolve("GET", "/v1/query") == "405 POST")
        #expect(resolve("GET", "/health") == "GET /health")
        #expect(resolve("HEAD", "/health") == "GET /health")
        #expect(resolve("DELETE", "/stats") == "405 GET, HEAD")
        #expect(resolve("GET", "/stats/") == "GET /stats", "a trailing slash is ignored")
        #expect(resolve("GET", "/stats/threads/thread_1") == "GET /stats/threads/{id} id=thread_1")
        #expect(resolve("GET", "/nope") == "404 none")
        #expect(resolve("GET", "/v1/other") == "404 none")
    }

    /// Literal paths resolve by one lookup; the answer is the one matching every pattern gives.
    @Test func literalLookupAgreesWithPatternMatching() {
        let ok: RouteHandler = { _ in HTTPResponse(status: 200) }
        let table = RouteTable([
            Route("GET", "/health", ok), Route("GET", "/health", ok), Route("OPTIONS", "/v1/*", ok),
            Route("POST", "/v1/query", ok), Route("GET", "/a/*", ok), Route("GET", "/a", ok), Route("GET", "/{x}", ok),
        ])
        #expect(resolve("GET", "/health", in: table) == "GET /health")
        #expect(resolve("HEAD", "/health", in: table) == "GET /health")
        #expect(resolve("POST", "/v1/query", in: table) == "POST /v1/query")
        #expect(resolve("OPTIONS", "/v1/query", in: table) == "OPTIONS /v1/*", "the catch-all answers the method it takes")
        #expect(resolve("GET", "/a", in: table) == "GET /a/*", "a longer catch-all is the more specific template")
        #expect(resolve("GET", "/b", in: table) == "GET /{x} x=b")
        #expect(resolve("DELETE", "/health", in: table) == "405 GET, HEAD")
        #expect(resolve("GET", "/health/", in: table) == "GET /health")
    }

    @Test func unknownPathsInAdminAreasCarryTheAdminPolicy() {
        #expect(resolve("GET", "/stats/threads/") == "404 admin")
        #expect(resolve("GET", "/stats/threads/a/b") == "404 admin")
        #expect(resolve("GET", "/admin/no-such-area") == "404 admin")
        #expect(resolve("POST", "/admin/budgets/account/Acme").hasPrefix("405 "))
        #expect(resolve("PUT", "/admin") == "404 admin")
    }

    @Test func parametersArePercentDecodedOnceAndAnEncodedSlashNeverSplitsASegment() {
        #expect(resolve("GET", "/stats/threads/a%2Fb") == "GET /stats/threads/{id} id=a/b")
        #expect(resolve("GET", "/stats/threads/a%252F") == "GET /stats/threads/{id} id=a%2F")
    }

    @Test func theMostSpecificTemplateWinsAndEachDropInRouteIsOneLine() {
        let ok: RouteHandler = { _ in .init(status: 200) }
        let table = RouteTable([
            Route("GET", "/v1/threads/{id}", auth: .clientKey, ok),
            Route("POST", "/v1/threads/runs", auth: .clientKey, ok),
            Route("GET", "/v1/threads/{id}/runs/{run_id}", auth: .clientKey, ok),
            Route("POST", "/v1/threads/{id}/runs/{run_id}/cancel", auth: .clientKey, ok),
        ])
        #expect(resolve("POST", "/v1/threads/runs", in: table) == "POST /v1/threads/runs")
        #expect(resolve("GET", "/v1/threads/thread_1", in: table) == "GET /v1/threads/{id} id=thread_1")
        #expect(resolve("GET", "/v1/threads/t/runs/r", in: table) == "GET /v1/threads/{id}/runs/{run_id} id=t run_id=r")
        #expect(resolve("POST", "/v1/threads/t/runs/r/cancel", in: table) == "POST /v1/threads/{id}/runs/{run_id}/cancel id=t run_id=r")
        #expect(resolve("DELETE", "/v1/threads/runs", in: table) == "405 GET, HEAD, POST")
        // On the drop-in surfaces the method is part of the upstream route: unlisted → 404.
        let dropIn = RouteTable([Route("GET", "/v1/threads/{id}", auth: .clientKeyRequired, ok)])
        #expect(resolve("DELETE", "/v1/threads/thread_1", in: dropIn) == "404 none")
    }
}
