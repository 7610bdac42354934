import Foundation
import Metering
import Testing
@testable import ThreadMeterApp

/// The budget admin API (contract §9): every bad field is a 400 naming it, PUT replaces, GET/DELETE
/// find or 404, account keys are percent-decoded once, and it is an admin route.
@Suite struct BudgetAdminTests {
    static let valid = #"{"window":"day","max_tokens":100}"#

    @Test(arguments: [
        ("nope/x", valid, "scope"),
        ("Thread/x", valid, "scope"),
        ("thread/bad.id", valid, "key"),
        ("thread/" + String(repeating: "a", count: 65), valid, "key"),
        ("account/" + String(repeating: "b", count: 129), valid, "key"),
        ("account/a%07b", valid, "key"),
        ("account/%0A", valid, "key"),
        ("global/x", valid, "key"),
        ("global/*", valid, "key"),
        ("account/Acme", "[1]", "body"),
        ("account/Acme", "not json", "body"),
        ("account/Acme", "", "body"),
        ("account/Acme", "{}", "window"),
        ("account/Acme", #"{"max_tokens":5}"#, "window"),
        ("account/Acme", #"{"window":"week","max_tokens":5}"#, "window"),
        ("account/Acme", #"{"window":5,"max_tokens":5}"#, "window"),
        ("account/Acme", #"{"window":"day"}"#, "max_tokens"),
        ("account/Acme", #"{"window":"day","max_tokens":0}"#, "max_tokens"),
        ("account/Acme", #"{"window":"day","max_tokens":-3}"#, "max_tokens"),
        ("account/Acme", #"{"window":"day","max_tokens":1.5}"#, "max_tokens"),
        ("account/Acme", #"{"window":"day","max_tokens":"10"}"#, "max_tokens"),
        ("account/Acme", #"{"window":"day","max_tokens":true}"#, "max_tokens"),
        ("account/Acme", #"{"window":"day","max_usd":0}"#, "max_usd"),
        ("account/Acme", #"{"window":"day","max_usd":-0.5}"#, "max_usd"),
        ("account/Acme", #"{"window":"day","max_usd":"1"}"#, "max_usd"),
        ("account/Acme", #"{"window":"day","max_usd":true}"#, "max_usd"),
        ("account/Acme", #"{"window":"day","max_tokens":5,"warn_at":0}"#, "warn_at"),
        ("account/Acme", #"{"window":"day","max_tokens":5,"warn_at":1.01}"#, "warn_at"),
        ("account/Acme", #"{"window":"day","max_tokens":5,"warn_at":"0.5"}"#, "warn_at"),
        ("account/Acme", #"{"window":"day","max_token":5}"#, "max_token"),
    ])
    func badInput_is400NamingTheField_andChangesNothing(path: String, body: String, field: String) async throws {
        try await withTestApp { app in
            let response = try await app.putBudget(path, body)
            #expect(response.status == 400, "\(path) \(body) → \(response.status) \(response.text)")
            let error = try #require(response.errorObject)
            #expect(error["code"] as? String == "invalid_request")
            #expect(error["param"] as? String == field, "\(response.text)")
            #expect((error["message"] as? String)?.hasPrefix("\(field):") == true)
            #expect(try await app.getJSON("/admin/budgets")["budgets"] as? [Any] != nil)
            #expect((try await app.getJSON("/admin/budgets")["budgets"] as? [Any])?.isEmpty == true)
            #expect(try await app.request("GET", "/health").status == 200)
        }
    }

    @Test func getAndDelete_validateTheAddressToo() async throws {
        try await withTestApp { app in
            let badScope = try await app.request("GET", "/admin/budgets/galaxy/all")
            #expect(badScope.status == 400)
            #expect(badScope.errorObject?["param"] as? String == "scope")
            let badKey = try await app.request("DELETE", "/admin/budgets/thread/a.b")
            #expect(badKey.status == 400)
            #expect(badKey.errorObject?["param"] as? String == "key")
            #expect(try await app.request("GET", "/admin/budgets/global/all").status == 404)
            #expect(try await app.request("DELETE", "/admin/budgets/global/all").status == 404)
        }
    }

    @Test func put_createsAndReplaces_notMerging_getAndDeleteFindIt() async throws {
        let clock = ManualClock(1_767_225_600 + 3_600)  // 2026-01-01T01:00:00Z
        try await withTestApp(clock: clock) { app in
            let created = try await app.putBudget("account/Acme%20Corp", #"{"window":"month","max_tokens":1000,"max_usd":2.5,"warn_at":0.5}"#)
            #expect(created.status == 200)
            let object = try created.json
            #expect(object.keys.sorted() == ["key", "max_tokens", "max_usd", "remaining_tokens", "remaining_usd", "resets_at", "scope",
                                             "unpriced_runs", "used_tokens", "used_usd", "warn_at", "window"])
            #expect(object["scope"] as? String == "account")
            #expect(object["key"] as? String == "Acme Corp")
            #expect(object["window"] as? String == "month")
            #expect(object["max_tokens"] as? Int == 1000)
            #expect(object["max_usd"] as? Double == 2.5)
            #expect(object["warn_at"] as? Double == 0.5)
            #expect(object["used_tokens"] as? Int == 0)
            #expect(object["used_usd"] as? Double == 0)
            #expect(object["remaining_tokens"] as? Int == 1000)
            #expect(object["remaining_usd"] as? Double == 2.5)
            #expect(object["unpriced_runs"] as? Int == 0)
            #expect(object["resets_at"] as? Int == 1_769_904_000)  // 2026-02-01

            // Replace, not merge: the token limit and warn_at go back to unset / the default.
            let replaced = try await app.putBudget("account/Acme%20Corp", #"{"window":"total","max_usd":3}"#)
            #expect(replaced.status == 200)
            let fetched = try await app.budget("account/Acme%20Corp")
            #expect(fetched["max_tokens"] is NSNull)
            #expect(fetched["remaining_tokens"] is NSNull)
            #expect(fetched["max_usd"] as? Double == 3)
            #expect(fetched["warn_at"] as? Double == 0.8)
            #expect(fetched["window"] as? String == "total")
            #expect(fetched["resets_at"] is NSNull)

            try await app.setBudget("thread/*", #"{"window":"day","max_tokens":50}"#)
            try await app.setBudget("global/all", #"{"window":"day","max_tokens":500}"#)
            let list = try #require(try await app.getJSON("/admin/budgets")["budgets"] as? [[String: Any]])
            #expect(list.map { "\($0["scope"]!)/\($0["key"]!)" } == ["thread/*", "account/Acme Corp", "global/all"])

            #expect(try await app.request("DELETE", "/admin/budgets/account/Acme%20Corp").status == 204)
            #expect(try await app.request("GET", "/admin/budgets/account/Acme%20Corp").status == 404)
            #expect(try await app.request("DELETE", "/admin/budgets/account/Acme%20Corp").status == 404)
        }
    }

    @Test func adminToken_isRequiredWhenSet() async throws {
        try await withTestApp(configure: { $0.adminToken = "s3cret" }) { app in
            #expect(try await app.putBudget("global/all", Self.valid).status == 401)
            #expect(try await app.putBudget("global/all", Self.valid, token: "wrong").status == 401)
            #expect(try await app.request("GET", "/admin/budgets").status == 401)
            #expect(try await app.putBudget("global/all", Self.valid, token: "s3cret").status == 200)
            let listed = try await app.getJSON("/admin/budgets", token: "s3cret")
            #expect((listed["budgets"] as? [Any])?.count == 1)
        }
    }
}
