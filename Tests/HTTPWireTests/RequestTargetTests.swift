import HTTPWire
import Testing

@Suite struct RequestTargetTests {
    @Test func rawPathStopsAtTheQueryAndKeepsPercentEncoding() {
        let request = HTTPRequest(method: "GET", target: "/v1/threads/a%2Fb/runs?limit=5&x=%0A")
        #expect(request.rawPath == "/v1/threads/a%2Fb/runs")
        #expect(request.path == "/v1/threads/a/b/runs")
    }

    @Test func rawPathOfATargetWithoutAQueryIsTheWholeTarget() {
        #expect(HTTPRequest(method: "GET", target: "/health").rawPath == "/health")
        #expect(HTTPRequest(method: "GET", target: "/stats?").rawPath == "/stats")
    }
}
