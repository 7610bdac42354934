// The dashboard page is self-contained, carries no data, and exposes the ids checks rely on.
import Foundation
import Testing
import TestSupport
@testable import ThreadMeterApp

@Suite struct DashboardPageTests {
    @Test func pageLoadsNothingFromOtherOrigins() {
        let html = DashboardPage.html
        #expect(!html.contains("<script src"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        let urls = html.components(separatedBy: "http").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }
        #expect(urls == ["://www.w3.org/2000/svg"], "only the SVG namespace may be an absolute URL: \(urls)")
    }

    @Test(arguments: ["total-threads", "total-input", "total-output", "total-tokens", "total-cost", "top-threads",
                      "usage-chart", "runs-by-outcome", "runs-by-source", "ratelimit-requests", "ratelimit-tokens",
                      "health-status", "last-refresh", "token-input"])
    func stableElementIdsArePresentOnce(id: String) {
        #expect(DashboardPage.html.components(separatedBy: "id=\"\(id)\"").count == 2)
    }

    @Test func pageReadsTheAuthenticatedEndpointsWithTheSessionToken() {
        let html = DashboardPage.html
        for path in ["/stats?limit=20", "/stats/usage?group_by=day", "/metrics", "/health"] {
            #expect(html.contains("\"\(path)\""), "missing \(path)")
        }
        #expect(html.contains("sessionStorage"))
        #expect(html.contains("\"Bearer \""))
        #expect(!html.contains("localStorage"), "the token must not outlive the tab")
        #expect(!html.contains("innerHTML"), "data is inserted as text only")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/node"), "needs node to syntax-check the script"))
    func inlineScriptIsValidJavaScript() async throws {
        let html = DashboardPage.html
        let start = try #require(html.range(of: "<script>"))
        let end = try #require(html.range(of: "</script>"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString).js")
        try String(html[start.upperBound..<end.lowerBound]).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let path = file.path
        let result = try await offCooperativePool { try ChildProcess.run("/usr/bin/node", ["--check", path]) }
        let status = result.status, diagnostics = result.stderr
        #expect(status == 0, "node --check: \(diagnostics)")
    }

}
