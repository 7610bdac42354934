// Budget warnings (§9) for drop-in runs (§8): the run that takes a budget to warn_at is logged once.
import Foundation
import Metering
import MockUpstream
import Telemetry
import TestSupport
import Testing
@testable import ThreadMeterApp
import Upstream

@Suite("Drop-in budget warnings", .serialized)
struct DropInBudgetWarningTests {
    static let headers = ["Authorization": "Bearer \(dropInClientKey)", "Content-Type": "application/json"]

    static func fields(_ record: LogRecord) -> [String: String] {
        Dictionary(record.metadata, uniquingKeysWith: { a, _ in a })
    }

    @Test("a streamed Assistants run that crosses warn_at logs budget_warning once; the next run, already past it, does not")
    func streamedRunCrossingWarnAt() async throws {
        try await withDropInApp { app, mock in
            // Far from its limit, so the runs are admitted; warn_at is reached by the first token.
            try await app.setBudget("account/Acme", #"{"max_tokens":1000000,"warn_at":0.000001,"window":"total"}"#)
            let thread = mock.makeThread()
            let body = Data(#"{"assistant_id":"asst_test","stream":true,"metadata":{"account":"Acme"}}"#.utf8)
            let first = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.headers, body: body)
            #expect(first.status == 200)
            let warnings = app.logEvents("budget_warning")
            #expect(warnings.count == 1, "logged before the terminal event was relayed")
            let warning = try #require(warnings.first)
            #expect(Self.fields(warning)["scope"] == "account" && Self.fields(warning)["key"] == "Acme")
            #expect(Self.fields(warning)["thread_id"] == thread)
            let figures = try #require(try await app.threadFigures(thread))
            #expect(Self.fields(warning)["used_tokens"] == String(figures.input + figures.output))

            let second = try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.headers, body: body)
            #expect(second.status == 200)
            #expect(try await app.threadFigures(thread)?.runs == 2)
            #expect(app.logEvents("budget_warning").count == 1, "the second run did not cross warn_at")
        }
    }

    @Test("a watched (non-streamed) response that crosses a global warn_at logs budget_warning once settled")
    func watchedResponseCrossingWarnAt() async throws {
        try await withDropInApp(.responses) { app, mock in
            try await app.setBudget("global/all", #"{"max_tokens":1000000,"warn_at":0.000001,"window":"day"}"#)
            let created = try await app.request("POST", "/v1/responses", headers: Self.headers,
                                                body: Data(#"{"model":"gpt-4o-mini","input":"hi","background":true}"#.utf8))
            #expect(created.status == 200)
            let id = try #require(try created.json["id"] as? String)
            #expect(app.logEvents("budget_warning").isEmpty, "not settled yet")
            #expect(try await eventually { app.logEvents("budget_warning").count == 1 })
            let warning = try #require(app.logEvents("budget_warning").first)
            #expect(Self.fields(warning)["scope"] == "global" && Self.fields(warning)["thread_id"] == id)
            // Once the watch has ended nothing can settle the response again.
            let ledger = try #require(app.ledger as? InMemoryLedger)
            #expect(try await eventually { try await ledger.watchedRuns().isEmpty })
            #expect(app.logEvents("budget_warning").count == 1)
            #expect(try await app.threadFigures(id)?.runs == 1)
        }
    }

    @Test("a run below warn_at logs no warning")
    func runBelowWarnAt() async throws {
        try await withDropInApp { app, mock in
            try await app.setBudget("thread/*", #"{"max_tokens":1000000,"window":"total"}"#)
            let thread = mock.makeThread()
            let body = Data(#"{"assistant_id":"asst_test","stream":true}"#.utf8)
            #expect(try await app.request("POST", "/v1/threads/\(thread)/runs", headers: Self.headers, body: body).status == 200)
            #expect(try await app.threadFigures(thread)?.runs == 1)
            #expect(app.logEvents("budget_warning").isEmpty)
        }
    }
}
