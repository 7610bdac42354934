// The pages the service serves (/dashboard, /) are self-contained: nothing from other origins, valid inline script.
import Foundation
import Testing
import TestSupport
@testable import ThreadMeterApp

@Suite struct SelfContainedPageTests {
    struct Page: Sendable, CustomTestStringConvertible {
        var name: String
        var html: String
        /// Absolute URLs the page may contain (namespaces, never fetched).
        var allowedURLs: [String]
        var testDescription: String { name }
    }

    static let pages = [
        Page(name: "dashboard", html: DashboardPage.html, allowedURLs: ["://www.w3.org/2000/svg"]),
        Page(name: "try-it", html: TryItPage.html, allowedURLs: []),
    ]

    @Test(arguments: pages)
    func pageLoadsNothingFromOtherOrigins(_ page: Page) {
        #expect(!page.html.contains("<script src"))
        #expect(!page.html.contains("<link"))
        #expect(!page.html.contains("@import"))
        let urls = page.html.components(separatedBy: "http").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }
        #expect(urls.filter { $0.hasPrefix("://") } == page.allowedURLs, "absolute URLs: \(urls)")
    }

    @Test(arguments: pages)
    func dataIsInsertedAsTextOnly(_ page: Page) {
        #expect(!page.html.contains("innerHTML"))
        #expect(!page.html.contains("localStorage"), "secrets must not outlive the tab")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/node"), "needs node to syntax-check the script"),
          arguments: pages)
    func inlineScriptIsValidJavaScript(_ page: Page) async throws {
        let start = try #require(page.html.range(of: "<script>"))
        let end = try #require(page.html.range(of: "</script>"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(page.name)-\(UUID().uuidString).js")
        try String(page.html[start.upperBound..<end.lowerBound]).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let path = file.path
        let result = try await offCooperativePool { try ChildProcess.run("/usr/bin/node", ["--check", path]) }
        let status = result.status, diagnostics = result.stderr
        #expect(status == 0, "node --check: \(diagnostics)")
    }
}

@Suite struct TryItPageTests {
    @Test(arguments: ["question", "ask", "stop", "new-thread", "answer", "thread-id", "threads", "api-key", "autotest"])
    func stableElementIdsArePresentOnce(id: String) {
        #expect(TryItPage.html.components(separatedBy: "id=\"\(id)\"").count == 2)
    }

    @Test func pageStreamsQueriesWithFetchAndStopsThemWithAnAbortController() {
        let html = TryItPage.html
        #expect(html.contains(#"fetch("/v1/query""#))
        #expect(html.contains("getReader()"))
        #expect(html.contains("new AbortController()"))
        for event in ["thread_info", "content", "stream_complete", "error"] {
            #expect(html.contains("type === \"\(event)\""), "handles \(event)")
        }
        #expect(html.contains("sessionStorage"))
        #expect(html.contains(#"href="/dashboard""#))
    }
}
