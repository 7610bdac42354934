// Renders a run's outcome as a text report for people or one JSON document for machines.
import Foundation

/// Text and JSON renderings of a `LoadRunOutcome`.
struct LoadReport {
    let outcome: LoadRunOutcome

    private var results: RunResults { outcome.results }
    private var options: HarnessOptions { outcome.options }
    private var throughput: Double { outcome.elapsed > 0 ? Double(results.queriesSucceeded) / outcome.elapsed : 0 }

    // MARK: text

    var text: String {
        var out: [String] = []
        let queries = options.queries.map { "\($0) queries each" } ?? "no query limit"
        let duration = options.duration.map { String(format: ", duration %.0f s", $0) } ?? ""
        out.append("threadmeter-load: profile \(options.profile.rawValue), target \(options.target.rawValue) \(options.url), \(options.clients) clients, \(queries)\(duration)")
        out.append(String(format: "ran %.2f s: %d queries (%d ok, %d failed), %.1f queries/s, %d content events, %d new threads, %d connections opened, peak %d streams open",
                          outcome.elapsed, results.queriesStarted, results.queriesSucceeded, results.queriesFailed, throughput,
                          results.contentEvents, results.newThreads, results.connectionsOpened, outcome.peakOpenStreams))
        out.append("latency (ms)          p50       p90       p99       max     count")
        out.append(latencyLine("thread_info", results.timeToThreadInfo))
        out.append(latencyLine("first content", results.timeToFirstContent))
        out.append(latencyLine("stream_complete", results.timeToComplete))
        if results.errorsByKind.isEmpty {
            out.append("errors: none")
        } else {
            out.append("errors by kind:")
            for (kind, count) in results.errorsByKind.sorted(by: { $0.value > $1.value }) {
                let example = results.errorExamples[kind].map { " — e.g. \($0)" } ?? ""
                out.append("  \(count)× \(kind)\(example)")
            }
        }
        if let server = serverFigures {
            out.append(String(format: "server pid %d: RSS start %.1f MB, peak %.1f MB, end %.1f MB; OS threads start %d, peak %d, end %d (%d samples)",
                              options.pid ?? 0, server.rssStartMB, server.rssPeakMB, server.rssEndMB,
                              server.threadsStart, server.threadsPeak, server.threadsEnd, outcome.samples.count))
        }
        if let health = outcome.health {
            let s = health.latency.summary
            out.append(String(format: "GET /health during the run: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d probes, %d failed%@",
                              ms(s.p50), ms(s.p99), ms(s.max), s.count, health.failures,
                              health.firstFailure.map { " (first: \($0))" } ?? ""))
        }
        out.append(contentsOf: accountingLines)
        out.append(outcome.passed ? "result: PASS" : "result: FAIL")
        return out.joined(separator: "\n")
    }

    private func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }

    private func latencyLine(_ name: String, _ histogram: LatencyHistogram) -> String {
        let s = histogram.summary
        let label = name.padding(toLength: 16, withPad: " ", startingAt: 0)
        return String(format: "  %@ %9.2f %9.2f %9.2f %9.2f %9d", label, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), s.count)
    }

    private var accountingLines: [String] {
        guard let report = outcome.accounting else {
            return ["accounting: not verified (\(options.target == .threadmeter ? "--no-verify" : "direct upstream target"))"]
        }
        var lines: [String] = []
        if let failure = report.failure { lines.append("accounting: CHECK FAILED: \(failure)") }
        let state = report.threadsInLedger == 0 ? "NOTHING TO CHECK (no run reached thread_info)" : report.verified ? "VERIFIED" : "MISMATCH"
        lines.append("accounting: \(state): \(report.threadsMatched) of \(report.threadsInLedger) threads match /stats (\(report.threadsChecked) checked, \(report.unverifiableThreads) unverifiable); clients saw \(report.expectedTotal)")
        if let before = report.totalsBefore, let after = report.totalsAfter {
            let delta = after.usage - before.usage
            let verdict = report.totalsChecked ? "checked (--expect-exclusive)"
                : options.expectExclusive ? "not compared (some threads are unverifiable)"
                : "not compared (other clients may exist; pass --expect-exclusive)"
            lines.append("  /stats totals moved by \(delta), threads +\(after.threads - before.threads): \(verdict)")
        }
        for (reason, count) in report.unverifiableReasons.sorted(by: { $0.value > $1.value }) {
            lines.append("  unverifiable: \(count)× \(reason)")
        }
        for mismatch in report.mismatches.prefix(50) { lines.append("  ✗ \(mismatch)") }
        if report.mismatches.count > 50 { lines.append("  … and \(report.mismatches.count - 50) more") }
        return lines
    }

    private struct ServerFigures {
        var rssStartMB: Double, rssPeakMB: Double, rssEndMB: Double
        var threadsStart: Int, threadsPeak: Int, threadsEnd: Int
    }

    private var serverFigures: ServerFigures? {
        guard let first = outcome.samples.first, let last = outcome.samples.last else { return nil }
        return ServerFigures(
            rssStartMB: Double(first.rssKiB) / 1024, rssPeakMB: Double(outcome.samples.map(\.rssKiB).max() ?? 0) / 1024,
            rssEndMB: Double(last.rssKiB) / 1024,
            threadsStart: first.threads, threadsPeak: outcome.samples.map(\.threads).max() ?? 0, threadsEnd: last.threads)
    }

    // MARK: JSON

    var json: String {
        var fields: [String] = []
        fields.append("\"profile\":\(ReportJSON.string(options.profile.rawValue))")
        fields.append("\"target\":\(ReportJSON.string(options.target.rawValue))")
        fields.append("\"url\":\(ReportJSON.string(options.url))")
        fields.append("\"clients\":\(options.clients)")
        fields.append("\"queries_per_client\":\(options.queries.map(String.init) ?? "null")")
        fields.append("\"duration_seconds\":\(options.duration.map { ReportJSON.number($0) } ?? "null")")
        fields.append("\"elapsed_seconds\":\(ReportJSON.number(outcome.elapsed))")
        fields.append("\"queries\":{\"started\":\(results.queriesStarted),\"succeeded\":\(results.queriesSucceeded),\"failed\":\(results.queriesFailed)}")
        fields.append("\"queries_per_second\":\(ReportJSON.number(throughput))")
        fields.append("\"content_events\":\(results.contentEvents)")
        fields.append("\"new_threads\":\(results.newThreads)")
        fields.append("\"connections_opened\":\(results.connectionsOpened)")
        fields.append("\"peak_open_streams\":\(outcome.peakOpenStreams)")
        fields.append("\"latency_ms\":{\"thread_info\":\(latencyJSON(results.timeToThreadInfo)),\"first_content\":\(latencyJSON(results.timeToFirstContent)),\"stream_complete\":\(latencyJSON(results.timeToComplete))}")
        let errors = results.errorsByKind.sorted { $0.key < $1.key }.map { "\(ReportJSON.string($0.key)):\($0.value)" }
        fields.append("\"errors\":{\(errors.joined(separator: ","))}")
        if let server = serverFigures {
            fields.append("\"server\":{\"pid\":\(options.pid ?? 0),\"rss_mb\":{\"start\":\(ReportJSON.number(server.rssStartMB)),\"peak\":\(ReportJSON.number(server.rssPeakMB)),\"end\":\(ReportJSON.number(server.rssEndMB))},\"threads\":{\"start\":\(server.threadsStart),\"peak\":\(server.threadsPeak),\"end\":\(server.threadsEnd)},\"samples\":\(outcome.samples.count)}")
        }
        if let health = outcome.health {
            fields.append("\"health_probe\":{\"latency_ms\":\(latencyJSON(health.latency)),\"failures\":\(health.failures)}")
        }
        if let report = outcome.accounting {
            var a: [String] = []
            a.append("\"verified\":\(report.verified)")
            a.append("\"threads\":\(report.threadsInLedger)")
            a.append("\"threads_checked\":\(report.threadsChecked)")
            a.append("\"threads_matched\":\(report.threadsMatched)")
            a.append("\"threads_unverifiable\":\(report.unverifiableThreads)")
            a.append("\"clients_saw\":\(report.expectedTotal.jsonText)")
            if let before = report.totalsBefore, let after = report.totalsAfter {
                a.append("\"stats_totals_delta\":\((after.usage - before.usage).jsonText)")
            }
            a.append("\"totals_checked\":\(report.totalsChecked)")
            a.append("\"mismatches\":[\(report.mismatches.prefix(200).map(ReportJSON.string).joined(separator: ","))]")
            a.append("\"failure\":\(report.failure.map(ReportJSON.string) ?? "null")")
            fields.append("\"accounting\":{\(a.joined(separator: ","))}")
        } else {
            fields.append("\"accounting\":null")
        }
        fields.append("\"passed\":\(outcome.passed)")
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func latencyJSON(_ histogram: LatencyHistogram) -> String {
        let s = histogram.summary
        func f(_ v: UInt64) -> String { ReportJSON.number(Double(v) / 1000) }
        return "{\"p50\":\(f(s.p50)),\"p90\":\(f(s.p90)),\"p99\":\(f(s.p99)),\"max\":\(f(s.max)),\"count\":\(s.count)}"
    }
}
