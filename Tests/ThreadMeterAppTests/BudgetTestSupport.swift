// Helpers of the budget tests: the admin API, metric values, log events.
import Foundation
import Metering
import Telemetry
import Testing

extension TestApp {
    /// `PUT /admin/budgets/{path}` with a raw body.
    func putBudget(_ path: String, _ body: String, token: String? = nil) async throws -> ClientResponse {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await request("PUT", "/admin/budgets/\(path)", headers: headers, body: Data(body.utf8))
    }

    /// Creates a budget and requires the 200.
    func setBudget(_ path: String, _ body: String) async throws {
        let response = try await putBudget(path, body)
        #expect(response.status == 200, "PUT \(path) → \(response.status): \(response.text)")
    }

    /// `GET /admin/budgets/{path}` as a JSON object.
    func budget(_ path: String) async throws -> [String: Any] {
        try await getJSON("/admin/budgets/\(path)")
    }

    /// A streamed query; returns the status, `thread_info`, the terminal event and the response.
    func streamedQuery(thread: String? = nil, account: String? = nil) async throws
        -> (status: Int, info: SSEEventRecord?, last: SSEEventRecord?, response: ClientResponse) {
        var fields: [String: Any] = ["query": "How is the deal going?"]
        if let thread { fields["threadId"] = thread }
        if let account { fields["accountName"] = account }
        let response = try await query(fields)
        guard response.status == 200 else { return (response.status, nil, nil, response) }
        let events = try response.events
        return (200, events.first, events.last, response)
    }

    /// The value of one series in `/metrics` (nil when absent).
    func metric(_ series: String) async throws -> Double? {
        let text = try await request("GET", "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Log records whose `event` metadata is `name`.
    func logEvents(_ name: String) -> [LogRecord] {
        logs.records.filter { record in record.metadata.contains { $0.0 == "event" && $0.1 == name } }
    }
}

extension ClientResponse {
    /// `error` of a JSON error body.
    var errorObject: [String: Any]? { (try? json)?["error"] as? [String: Any] }
}

extension SSEEventRecord {
    var budget: [String: Any]? { data["budget"] as? [String: Any] }
}
