// The dashboard page carries no data and exposes the ids checks rely on (SelfContainedPageTests: no outside origins, valid script).
import Foundation
import Testing
import TestSupport
@testable import ThreadMeterApp

@Suite struct DashboardPageTests {
    @Test(arguments: ["total-threads", "total-input", "total-output", "total-tokens", "total-cost", "top-threads",
                      "usage-chart", "runs-by-outcome", "runs-by-source", "ratelimit-requests", "ratelimit-tokens",
                      "health-status", "last-refresh", "token-input", "budgets"])
    func stableElementIdsArePresentOnce(id: String) {
        #expect(DashboardPage.html.components(separatedBy: "id=\"\(id)\"").count == 2)
    }

    @Test func pageReadsTheAuthenticatedEndpointsWithTheSessionToken() {
        let html = DashboardPage.html
        for path in ["/stats?limit=20", "/stats/usage?group_by=day", "/metrics", "/health", "/admin/budgets"] {
            #expect(html.contains("\"\(path)\""), "missing \(path)")
        }
        #expect(html.contains("sessionStorage"))
        #expect(html.contains("\"Bearer \""))
        #expect(!html.contains("localStorage"), "the token must not outlive the tab")
        #expect(!html.contains("innerHTML"), "data is inserted as text only")
    }
}
